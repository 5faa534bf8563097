package app.homeward.ffi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The zone as ML Kit or Vision would hand it over, read by the real native core. */
class MrzTest {
    private val specimen = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    private val kyrgyz = "P<KGZIUSUPOVA<<ZHYLDYZ<<<<<<<<<<<<<<<<<<<<<<\nAC12345674KGZ9503179F3001019<<<<<<<<<<<<<<<6"

    @Test
    fun `the Doc 9303 specimen reads field by field`() {
        val r = readMrz(specimen, "2010-06-01")
        assertEquals("td3", r.format)
        assertEquals("L898902C3", r.documentNumber)
        assertEquals("ERIKSSON", r.surname)
        assertEquals("ANNA MARIA", r.givenNames)
        assertEquals("1974-08-12", r.dateOfBirth)
        assertEquals("2012-04-15", r.dateOfExpiry)
        assertEquals(SexKind.F, r.sex)
        assertFalse(r.expired)
        assertTrue(r.corrections.isEmpty())
        assertEquals(CitizenshipEvidenceData.OldPassport("L898902C3"), r.requestPrefill.evidence)
    }

    @Test
    fun `look-alikes are corrected with their proof and a failing field is named`() {
        val r = readMrz(specimen.replaceFirst("L898902C3", "L8989O2C3").replaceFirst("P<UTO", "P<UT0"), "2010-06-01")
        assertEquals("L898902C3", r.documentNumber)
        assertEquals(listOf("issuing_state" to false, "document_number" to true), r.corrections.map { it.field to it.byCheckDigit })
        assertEquals(listOf("O", "0"), r.corrections.map { it.corrected })

        val e = assertThrows<HomewardException.MrzRefused> { readMrz(specimen.replaceFirst("7408122", "7408132"), null) }
        assertEquals("date_of_birth", e.field)
        assertFalse(e.ambiguous)
        assertFalse(e.reason.contains("ERIKSSON"))
        assertThrows<HomewardException.MrzRefused> { readMrz("not a zone", null) }
    }

    @Test
    fun `a zone pre-fills the subject and meets the Cyrillic record through the lookup`() {
        newVault().use { vault ->
            val earlier = vault.startScreening(
                NewScreeningInput(crossingPoint = "OSH-AIRPORT", language = Language.KY, screeningDate = "2026-11-29"),
            )
            earlier.setSubject(SubjectInput(name = "Юсупова Жылдыз"))

            val r = readMrz(kyrgyz, "2026-12-02")
            assertTrue(mrzNameMatches(r.fullName, "Жылдыз Юсупова"))
            assertFalse(mrzNameMatches(r.fullName, "Юсупова Айгүл"))
            assertEquals(listOf(earlier.id()), vault.screenings().searchByName(r.fullName).map { it.id })

            val next = vault.startScreening(
                NewScreeningInput(crossingPoint = "OSH-AIRPORT", language = Language.RU, screeningDate = "2026-12-02"),
            )
            next.setSubject(r.subject)
            assertEquals(listOf(next.id()), vault.screenings().searchByDocument(r.documentNumber).map { it.id })
            assertEquals("1995-03-17", r.requestPrefill.dateOfBirth)
        }
    }
}
