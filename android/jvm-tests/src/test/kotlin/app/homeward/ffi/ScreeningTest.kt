package app.homeward.ffi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class ScreeningTest {
    /**
     * The default checklist's "adult with act, means and purpose" scenario
     * (core/tests/screening.rs): recruited, deceived, forced labour. Every
     * other yes/no question is answered "no", the rest skipped.
     */
    private val scenario: Map<String, AnswerInput> = mapOf(
        "appears_minor" to AnswerInput.YesNo(YesNoAnswer.NO),
        "date_of_birth" to AnswerInput.Date("1990-04-02"),
        "documents" to AnswerInput.Choice("another_persons"),
        "recruited" to AnswerInput.YesNo(YesNoAnswer.YES),
        "deceived" to AnswerInput.YesNo(YesNoAnswer.YES),
        "forced_labour" to AnswerInput.YesNo(YesNoAnswer.YES),
        "promised_work" to AnswerInput.Choices(listOf("construction")),
    )

    @Test
    fun `a full screening driven question by question from the core`() {
        newVault().use { vault ->
            val session = vault.startScreening(
                NewScreeningInput(crossingPoint = "OSH-AIRPORT", language = Language.EN, screeningDate = "2026-11-29"),
            )
            val asked = mutableListOf<String>()
            // The queue first; then the private interview, after the non-punishment assurance.
            for (stage in listOf("queue", "private")) {
                if (stage == "private") {
                    assertTrue(session.progress().leftForPrivate.isNotEmpty(), "questions left for the private interview")
                    assertTrue(session.moveToPrivate(null).inPrivateInterview)
                }
                // Positions count within the stage (the private interview starts at 1 again).
                val before = asked.size
                while (true) {
                    val q = session.nextQuestion() ?: break
                    check(q.id !in asked) { "question ${q.id} asked twice" }
                    asked += q.id
                    assertTrue(q.text.isNotBlank() && q.sectionTitle.isNotBlank() && q.hint.isNotBlank())
                    assertTrue(q.position.toInt() >= asked.size - before && q.position <= q.total, "position ${q.position}")
                    val answer = scenario[q.id]
                    val progress = when {
                        answer != null -> session.answer(q.id, answer)
                        q.kind is AnswerKind.YesNo -> session.answerText(q.id, "n")
                        else -> session.skip(q.id)
                    }
                    assertFalse(progress.isFinal)
                }
                if (stage == "queue") assertTrue("sexual" !in asked, "a private question asked in the queue")
            }
            assertTrue("sexual" in asked, "the private interview asks the sensitive questions")
            // The child section is not shown for an adult: the core decided.
            assertFalse("unaccompanied" in asked)
            assertTrue(asked.size > 25, "asked ${asked.size}")
            assertTrue(session.progress().canFinalise)

            // Another person's document: the identifying-details screen asks for that name too.
            assertTrue(session.progress().asksDocumentHolderName)
            session.setSubject(SubjectInput(name = "Асанова Айгүл", documentNumber = "AN1234567"))

            val provisional = session.outcome()
            assertFalse(provisional.isFinal)
            assertEquals(VerdictKind.PRESUMED_VICTIM, provisional.verdict)

            val outcome = session.finalise()
            assertTrue(outcome.isFinal)
            assertEquals(VerdictKind.PRESUMED_VICTIM, outcome.verdict)
            assertFalse(outcome.treatedAsChild)
            assertTrue(outcome.verdictText.isNotBlank() && outcome.disclaimer.isNotBlank())
            // The "why": each element with the answers behind it, in words.
            assertTrue(outcome.why.size >= 3, "${outcome.why}")
            val elements = outcome.why.map { it.element }
            assertTrue(listOf("Act", "Means").all { it in elements }, "$elements")
            assertTrue(outcome.why.all { it.answers.isNotEmpty() }, "${outcome.why}")
            assertTrue(outcome.actions.isNotEmpty())
            assertTrue(outcome.actions.all { it.text.isNotBlank() && it.basis.isNotBlank() })
            assertTrue(outcome.exploitation.isNotEmpty())

            // Final is final.
            assertNull(session.nextQuestion())
            val e = assertThrows<HomewardException.ScreeningFinalised> {
                session.answer("notes", AnswerInput.Text("changed my mind"))
            }
            assertTrue(e.reason.contains("amended"), e.reason)

            // A final screening is a person's full record: it opens only with
            // a justification, which the audit trail keeps.
            vault.setOfficer("officer-0042")
            assertThrows<HomewardException.JustificationRequired> { vault.screenings().open(session.id(), null) }
            val reopened = vault.screenings().open(session.id(), "supervisor review of the referral")
            assertEquals(VerdictKind.PRESUMED_VICTIM, reopened.outcome().verdict)
            val trail = vault.auditTrail()
            // Created, moved to the private interview, finalised, viewed.
            assertEquals(listOf("create", "change", "change", "view"), trail.map { it.action })
            assertTrue(trail.all { it.subjectId == session.id() && it.subjectKind == "screening" })
            assertEquals("supervisor review of the referral", trail.last().justification)
            assertEquals("officer-0042", trail.last().actor)
            assertEquals((1L..trail.size.toLong()).toList(), trail.map { it.seq })

            // Listed and found again by name in the other script and order.
            val list = vault.screenings().list(ScreeningFilter(crossingPoint = "OSH-AIRPORT"))
            assertEquals(1, list.size)
            assertEquals(VerdictKind.PRESUMED_VICTIM, list[0].verdict)
            assertEquals(session.id(), list[0].id)
            assertEquals(1, vault.screenings().searchByName("Aigul Asanova").size)
            assertEquals(1, vault.screenings().searchByDocument("an 1234567").size)
            assertEquals(listOf("search", "search"), vault.auditTrail().drop(trail.size).map { it.action })
            // No name or document number ever enters the trail.
            assertTrue(vault.auditTrail().none { it.toString().contains("Асанова") || it.toString().contains("AN1234567") })
        }
    }

    @Test
    fun `validation messages come from the core and change nothing`() {
        newVault().use { vault ->
            val s = vault.startScreening(NewScreeningInput("MANAS", language = Language.RU))
            val first = s.nextQuestion()!!
            assertEquals("appears_minor", first.id)
            assertEquals(1, first.position)
            assertTrue(first.required)

            val future = assertThrows<HomewardException.InvalidAnswer> {
                s.answer("date_of_birth", AnswerInput.Date("2999-01-01"))
            }
            assertEquals("date_of_birth", future.questionId)
            val wrongType = assertThrows<HomewardException.InvalidAnswer> {
                s.answer("recruited", AnswerInput.Number(1.0))
            }
            // In the session's language (Russian here), without the question's id.
            assertTrue(wrongType.reason.contains("ответ") && "recruited" !in wrongType.reason, wrongType.reason)
            val unknown = assertThrows<HomewardException.InvalidAnswer> {
                s.answer("documents", AnswerInput.Choice("passport_in_pocket"))
            }
            // The sentence goes under the question: no ids in it.
            assertTrue(unknown.reason.isNotBlank() && "documents" !in unknown.reason, unknown.reason)
            assertThrows<HomewardException.InvalidAnswer> { s.skip("appears_minor") }
            assertEquals(0, s.progress().answered)

            // Typed input in Russian is read by the core's rules.
            s.answerText("appears_minor", "да")
            assertEquals(listOf("Да"), s.answers().map { it.answer })
            // A child: the child questions are now shown.
            val incomplete = assertThrows<HomewardException.ScreeningIncomplete> { s.finalise() }
            assertEquals(listOf("documents"), incomplete.missing)

            // Texts follow the session's language.
            val q = s.question("documents")
            val kind = q.kind as AnswerKind.SingleChoice
            assertEquals(4, kind.options.size)
            s.setLanguage(Language.EN)
            assertNotNull(s.question("documents").text.takeIf { it != q.text })
            s.answer("documents", AnswerInput.Choice("none"))
            val o = s.finalise()
            assertTrue(o.treatedAsChild)
        }
    }

    @Test
    fun `an edit is prefilled, hints are for a touch screen, labels are localised`() {
        newVault().use { vault ->
            val s = vault.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.KY))
            val q = s.nextQuestion()!!
            assertEquals(null, q.currentAnswer)
            assertTrue("Enter" !in q.hint && "о/ж" !in q.hint, q.hint)
            s.answer(q.id, AnswerInput.YesNo(YesNoAnswer.UNKNOWN))
            assertEquals(AnswerInput.YesNo(YesNoAnswer.UNKNOWN), s.question(q.id).currentAnswer)
            assertEquals("Билбейм", s.labels().unknown)
            s.setLanguage(Language.EN)
            assertEquals(ScreeningLabels("Yes", "No", "Don't know", "Skip", "Back"), s.labels())
        }
    }

    @Test
    fun `a draft is resumed where it stopped`() {
        val dir = tempDir("vault")
        val id = newVault(dir).use { vault ->
            val s = vault.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.KY))
            s.answer("appears_minor", AnswerInput.YesNo(YesNoAnswer.NO))
            s.id()
        }
        HomewardVault.open(java.io.File(dir, "vault").path, null).use { vault ->
            vault.unlock(PASSPHRASE)
            val s = vault.screenings().open(id, null)
            assertEquals(Language.KY, s.language())
            assertEquals(1, s.progress().answered)
            assertEquals("date_of_birth", s.nextQuestion()!!.id)
        }
    }

    @Test
    fun `a draft moved to a private interview resumes there`() {
        val dir = tempDir("vault")
        val id = newVault(dir).use { vault ->
            val s = vault.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.RU))
            val q = s.nextQuestion()!!
            assertTrue(q.text.isNotBlank())
            assertFalse(q.privateInterviewOnly, "the first question is asked in the queue")
            s.answer("appears_minor", AnswerInput.YesNo(YesNoAnswer.NO))
            assertFalse(s.progress().inPrivateInterview)
            val p = s.moveToPrivate("officer-7")
            assertTrue(p.inPrivateInterview)
            assertTrue(p.leftForPrivate.isEmpty())
            s.id()
        }
        HomewardVault.open(java.io.File(dir, "vault").path, null).use { vault ->
            vault.unlock(PASSPHRASE)
            val s = vault.screenings().open(id, null)
            assertTrue(s.progress().inPrivateInterview)
            assertEquals("date_of_birth", s.nextQuestion()!!.id)
            assertTrue(s.outcome().leftForPrivate.isEmpty())
        }
    }

    @Test
    fun `an amendment keeps the original and a referral needs a consent`() {
        newVault().use { vault ->
            val s = vault.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.EN))
            s.answer("appears_minor", AnswerInput.YesNo(YesNoAnswer.NO))
            s.answer("documents", AnswerInput.Choice("own"))
            s.answer("recruited", AnswerInput.YesNo(YesNoAnswer.YES))
            assertTrue(s.finalise().verdict != VerdictKind.PRESUMED_VICTIM, "an act alone is not the profile")
            val noReason = assertThrows<HomewardException.InvalidInput> {
                s.amend(listOf(AnswerChange("deceived", AnswerInput.YesNo(YesNoAnswer.YES))), null, " ", null)
            }
            assertTrue(noReason.reason.contains("reason"), noReason.reason)
            val amended = s.amend(
                listOf(
                    AnswerChange("deceived", AnswerInput.YesNo(YesNoAnswer.YES)),
                    AnswerChange("forced_labour", AnswerInput.YesNo(YesNoAnswer.YES)),
                ),
                null,
                "the person disclosed forced labour in the interview",
                "officer-0042",
            )
            assertTrue(amended.isFinal)
            assertEquals(VerdictKind.PRESUMED_VICTIM, amended.verdict)
            assertEquals(VerdictKind.PRESUMED_VICTIM, s.outcome().verdict)

            val refused = s.mayShare("IOM", "shelter", null)
            assertTrue(refused is ReferralDecision.Refused, "$refused")
            val consent = s.addConsent("IOM", "shelter", null, ReferralBasisData.Consent(ConsentGiverKind.THE_PERSON))
            assertEquals(ReferralDecision.Allowed(consent.id), s.mayShare("IOM", "shelter", null))
            assertTrue(s.mayShare("IOM", "legal aid", null) is ReferralDecision.Refused)
            s.revokeConsent(consent.id, null)
            val revoked = s.mayShare("IOM", "shelter", null) as ReferralDecision.Refused
            assertTrue(revoked.reason.contains("revoked"), revoked.reason)
            assertEquals(1, s.consents().size)
            assertThrows<HomewardException.NotFound> { s.revokeConsent("no-such-consent", null) }
        }
    }
}
