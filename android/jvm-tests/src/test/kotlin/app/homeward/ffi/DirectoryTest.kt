package app.homeward.ffi

import java.io.File
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * The referral directory through the generated Kotlin: published by a real
 * `homeward-hq` (`directory publish`), received at enrolment, pointing a
 * child's outcome only to partners serving children, and refusing a
 * referral to an adults' shelter for that child.
 */
class DirectoryTest {
    /** A child (act and purpose suffice), documents held by another. */
    private val child: Map<String, AnswerInput> = mapOf(
        "appears_minor" to AnswerInput.YesNo(YesNoAnswer.YES),
        "date_of_birth" to AnswerInput.Date("2011-03-04"),
        "documents" to AnswerInput.Choice("held_by_other"),
        "recruited" to AnswerInput.YesNo(YesNoAnswer.YES),
        "forced_labour" to AnswerInput.YesNo(YesNoAnswer.YES),
    )

    @Test
    fun `a child's outcome points only to partners serving children`() {
        Headquarters().use { hq ->
            val file = File(tempDir("directory"), "partners.json")
            file.writeText(hq.admin("directory", "sample"))
            assertTrue(hq.admin("directory", "publish", file.path).contains("published"))
            newVault().use { vault ->
                assertNull(vault.screenings().referralDirectory(), "nothing before enrolment")
                vault.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "consular_officer"), "directory test", null)
                val held = requireNotNull(vault.screenings().referralDirectory()) { "enrolment carries the directory" }
                assertEquals(1L, held.sequence)
                assertTrue(held.partners.any { it.phone == "0 800 0000 189" }, "the national hotline is listed")

                val s = vault.startScreening(NewScreeningInput(crossingPoint = "OSH-AIRPORT", language = Language.EN))
                for (stage in listOf("queue", "private")) {
                    if (stage == "private" && s.progress().leftForPrivate.isNotEmpty()) s.moveToPrivate(null)
                    while (true) {
                        val q = s.nextQuestion() ?: break
                        val a = child[q.id]
                        when {
                            a != null -> s.answer(q.id, a)
                            q.kind is AnswerKind.YesNo -> s.answerText(q.id, "n")
                            else -> s.skip(q.id)
                        }
                    }
                }
                s.setSubject(SubjectInput(refused = true))
                assertTrue(s.finalise().treatedAsChild)

                val offered = s.referralPartners()
                assertTrue(offered.isNotEmpty(), "the outcome points to someone")
                assertTrue(offered.all { it.servesChildren }, "${offered.map { it.id }}")
                assertTrue(offered.any { it.id == "minors-centre-osh" }, "${offered.map { it.id }}")
                assertFalse(offered.any { it.id == "shelter-osh" })

                s.addConsent("shelter-osh", "shelter", null, ReferralBasisData.Consent(ConsentGiverKind.PARENT_OR_GUARDIAN))
                val e = assertThrows<HomewardException.NotAllowed> {
                    s.refer("shelter-osh", "shelter", listOf(ReferralData.IDENTITY))
                }
                assertTrue(e.reason.contains("children"), e.reason)
            }
        }
    }
}
