package app.homeward.ffi

import java.io.File
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * The crossing points through the generated Kotlin, as the screening start
 * screen's picker uses them: the compiled-in demo list before enrolment,
 * names in the vault's language, an unlisted id refused with nothing saved,
 * and a list published by a real `homeward-hq` replacing it at enrolment.
 */
class CrossingPointsTest {
    @Test
    fun `a never-enrolled vault offers the demo list, named in its language, and refuses any other id`() {
        newVault().use { vault ->
            val info = vault.crossingPointsInfo()
            assertEquals(0L, info.sequence, "the compiled-in list")
            assertNull(info.ageDays, "never published: no age to show")
            vault.setLanguage(Language.RU)
            val points = vault.crossingPoints()
            assertEquals(info.count.toInt(), points.size)
            assertEquals(points.size, points.map { it.id }.toSet().size, "one entry per id")
            val osh = points.single { it.id == "OSH-AIRPORT" }
            assertEquals("Аэропорт Ош" to "Osh", osh.name to osh.region)
            vault.setLanguage(Language.KY)
            assertEquals("Ош аэропорту", vault.crossingPoints().single { it.id == "OSH-AIRPORT" }.name)

            val refused = assertThrows<HomewardException.InvalidInput> {
                vault.startScreening(NewScreeningInput(crossingPoint = "Osh airport", language = Language.EN))
            }
            assertTrue(refused.reason.contains("Osh airport") && refused.reason.contains("list"), refused.reason)
            assertTrue(vault.screenings().list(ScreeningFilter()).isEmpty(), "a refused start saves nothing")
            vault.startScreening(NewScreeningInput(crossingPoint = osh.id, language = Language.EN))
            assertEquals(1, vault.screenings().list(ScreeningFilter(crossingPoint = "OSH-AIRPORT")).size)
        }
    }

    @Test
    fun `enrolment installs the list headquarters published`() {
        Headquarters().use { hq ->
            val sample = hq.admin("crossing-points", "sample")
            // Headquarters keeps only Osh airport and opens Kyzyl-Bel.
            val file = File(tempDir("crossing"), "points.json")
            file.writeText(
                """{"points": [
                  {"id": "OSH-AIRPORT", "region": "Osh", "name": {"ky": "Ош аэропорту", "ru": "Аэропорт Ош", "en": "Osh airport"}},
                  {"id": "KYZYL-BEL", "region": "Batken", "name": {"ky": "Кызыл-Бел", "ru": "Кызыл-Бел", "en": "Kyzyl-Bel"}}
                ]}""",
            )
            assertTrue(sample.contains("MANAS"))
            assertTrue(hq.admin("crossing-points", "publish", file.path).contains("published"))
            newVault().use { vault ->
                vault.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "border_guard"), "crossing test", null)
                val info = vault.crossingPointsInfo()
                assertEquals(2L, info.sequence, "the published list follows the demo one (1)")
                assertEquals(0L, info.ageDays)
                vault.setLanguage(Language.EN)
                assertEquals(listOf("OSH-AIRPORT" to "Osh airport", "KYZYL-BEL" to "Kyzyl-Bel"), vault.crossingPoints().map { it.id to it.name })
                assertThrows<HomewardException.InvalidInput> {
                    vault.startScreening(NewScreeningInput(crossingPoint = "MANAS", language = Language.EN))
                }
                vault.startScreening(NewScreeningInput(crossingPoint = "KYZYL-BEL", language = Language.EN))
            }
        }
    }
}
