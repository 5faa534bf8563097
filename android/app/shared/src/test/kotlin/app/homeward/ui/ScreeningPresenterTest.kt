package app.homeward.ui

import app.homeward.ui.core.Answer
import app.homeward.ui.core.AnswerType
import app.homeward.ui.core.Lang
import app.homeward.ui.core.Verdict
import app.homeward.ui.core.YesNo
import app.homeward.ui.screening.OutcomeEvent
import app.homeward.ui.screening.OutcomePresenter
import app.homeward.ui.screening.ScreeningEvent
import app.homeward.ui.screening.ScreeningPhase
import app.homeward.ui.screening.ScreeningPresenter
import app.homeward.ui.screening.ScreeningState
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test

class ScreeningPresenterTest {
    /** Sends the scenario's answer (or "no" / skip) through the presenter's events, as the buttons do. */
    private fun answer(state: ScreeningState) {
        val q = state.question!!
        when (val a = presumedVictimScenario[q.id]) {
            is Answer.Tri -> state.eventSink(ScreeningEvent.AnswerYesNo(a.value))
            is Answer.Choice -> state.eventSink(ScreeningEvent.Choose(a.id))
            is Answer.Choices -> {
                a.ids.forEach { state.eventSink(ScreeningEvent.Toggle(it)) }
                state.eventSink(ScreeningEvent.Confirm)
            }
            is Answer.Date -> {
                state.eventSink(ScreeningEvent.Type(a.isoDate))
                state.eventSink(ScreeningEvent.Confirm)
            }
            null -> when {
                q.type == AnswerType.YesNo -> state.eventSink(ScreeningEvent.AnswerYesNo(YesNo.NO))
                !q.required -> state.eventSink(ScreeningEvent.Skip)
                else -> error("required question ${q.id} has no answer in the scenario")
            }
            else -> error("unexpected ${q.id}")
        }
    }

    @Test
    fun `a full screening through the presenter ends in presumed victim`() {
        val vault = newVault()
        val session = vault.screenings().start("OSH-AIRPORT", Lang.EN)
        val asked = mutableListOf<String>()
        var last: app.homeward.ui.core.Question? = null
        var refusedFraction: String? = null
        testPresenter({ ScreeningPresenter(session).present() }) {
            var s = awaitUntil { it.phase != ScreeningPhase.LOADING && !it.busy }
            assertEquals(ScreeningPhase.ASKING, s.phase)
            assertFalse("nothing to go back to", s.canGoBack)
            while (s.phase != ScreeningPhase.DONE) {
                if (s.phase == ScreeningPhase.PRIVATE_PROMPT) {
                    s.eventSink(ScreeningEvent.StartPrivateInterview)
                    s = awaitUntil("the private interview") { it.phase == ScreeningPhase.ASKING && !it.busy }
                    assertTrue(s.progress!!.inPrivateInterview)
                    continue
                }
                val q = s.question!!
                assertFalse("${q.id} asked twice", q.id in asked)
                asked += q.id
                assertTrue(q.text.isNotBlank())
                // The core counts only the questions this path asks: the n-th asked is "n of ...".
                assertEquals("${q.id}: position", asked.size, q.position)
                assertTrue("position ${q.position} of ${q.total}", q.position <= q.total)
                last = q
                if (q.type is AnswerType.Number && (q.type as AnswerType.Number).integer) {
                    // A count of people: 2,5 is refused by the core, with its reason under the question.
                    s.eventSink(ScreeningEvent.Type("2,5"))
                    s.eventSink(ScreeningEvent.Confirm)
                    s = awaitUntil("the refusal of 2,5") { it.error != null && !it.busy }
                    assertEquals(q.id, s.question!!.id)
                    refusedFraction = s.error
                }
                answer(s)
                s = awaitUntil("after ${q.id}") { !it.busy && (it.question?.id != q.id || it.phase != ScreeningPhase.ASKING) }
                assertEquals("no error after ${q.id}", null, s.error)
                assertTrue(s.canGoBack)
            }
            assertEquals("the bar is full at the end", s.progress!!.total, s.progress!!.done)
            cancelAndIgnoreRemainingEvents()
        }
        assertEquals("the last question is N of N", last!!.total, last!!.position)
        assertEquals("Enter a whole number (not 2.5).", refusedFraction)
        assertTrue("asked ${asked.size}", asked.size > 25)
        assertTrue("the sensitive questions in private", "sexual" in asked)
        assertFalse("no child section for an adult", "unaccompanied" in asked)

        testPresenter({ OutcomePresenter(session).present() }) {
            // The wording is loaded before the outcome is shown.
            val o = awaitUntil { it.outcome != null }
            assertEquals(Verdict.PRESUMED_VICTIM, o.outcome!!.verdict)
            assertFalse(o.outcome!!.isFinal)
            assertTrue(o.outcome!!.why.map { it.element }.containsAll(listOf("Act", "Means")))
            assertTrue(o.outcome!!.actions.all { it.basis.isNotBlank() })
            assertTrue("no referral directory held yet: no partners, and no error", o.partners.isEmpty() && o.error == null)
            // The consent question as the core words it, for an adult asked of the person.
            val w = o.consent!!
            assertTrue(w.question, w.question.contains("IOM") && w.question.contains("withdraw"))
            assertEquals("The person agrees: record the consent", w.agree)
            o.eventSink(OutcomeEvent.ConsentToReferral)
            val consented = awaitUntil("consent") { it.consentRecorded && !it.busy }
            consented.eventSink(OutcomeEvent.Finalise)
            val fin = awaitUntil("final") { it.outcome?.isFinal == true && !it.busy }
            assertEquals(Verdict.PRESUMED_VICTIM, fin.outcome!!.verdict)
            assertEquals(null, fin.error)
            cancelAndIgnoreRemainingEvents()
        }
        assertEquals(listOf("IOM"), session.consents())
    }

    @Test
    fun `home lists a draft and resuming it goes on where it stopped`() {
        val vault = newVault()
        val session = vault.screenings().start("OSH-AIRPORT", Lang.EN)
        val first = session.next()!!
        session.answer(first.id, Answer.Tri(YesNo.NO))
        testPresenter({ app.homeward.ui.home.HomePresenter(vault).present() }) {
            val home = awaitUntil("the drafts") { it.drafts.isNotEmpty() }
            assertEquals(listOf(session.id), home.drafts.map { it.id })
            assertEquals(false, home.device!!.enrolled)
            cancelAndIgnoreRemainingEvents()
        }
        val resumed = vault.screenings().resume(session.id)
        testPresenter({ ScreeningPresenter(resumed).present() }) {
            val s = awaitUntil { it.phase == ScreeningPhase.ASKING && !it.busy }
            assertNotEquals("not asked again", first.id, s.question!!.id)
            assertEquals(1, s.progress!!.answered)
            cancelAndIgnoreRemainingEvents()
        }
    }

    @Test
    fun `back re-opens the previous question, the language switches mid-screening, a bad answer shows the core's reason`() {
        val vault = newVault()
        val session = vault.screenings().start("OSH-AIRPORT", Lang.EN)
        testPresenter({ ScreeningPresenter(session).present() }) {
            val first = awaitUntil { it.phase == ScreeningPhase.ASKING && !it.busy }
            val q1 = first.question!!
            answer(first)
            val second = awaitUntil { !it.busy && it.question?.id != q1.id }
            val q2 = second.question!!
            // Switch to Kyrgyz: the same question, in the core's Kyrgyz.
            second.eventSink(ScreeningEvent.SwitchLanguage(Lang.KY))
            val ky = awaitUntil { it.language == Lang.KY && !it.busy }
            assertEquals(q2.id, ky.question!!.id)
            assertNotEquals(q2.text, ky.question!!.text)
            assertEquals(Lang.KY, session.language())
            // Back: the first question again, to change its answer.
            ky.eventSink(ScreeningEvent.Back)
            val back = awaitUntil { it.question?.id == q1.id && !it.busy }
            assertFalse(back.canGoBack)
            answer(back)
            val again = awaitUntil { !it.busy && it.question?.id == q2.id }
            // A date after the screening date is refused by the core, with its reason under the question.
            if (again.question!!.type == AnswerType.Date) {
                again.eventSink(ScreeningEvent.Type("2999-01-01"))
                again.eventSink(ScreeningEvent.Confirm)
                val refused = awaitUntil("a refusal") { it.error != null && !it.busy }
                assertEquals(q2.id, refused.question!!.id)
                assertTrue(refused.error!!.isNotBlank())
            }
            cancelAndIgnoreRemainingEvents()
        }
    }
}
