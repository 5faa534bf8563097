package app.homeward.ui.screening

import androidx.compose.foundation.border
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.homeward.ui.core.Action
import app.homeward.ui.core.ConsentText
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.Lang
import app.homeward.ui.core.Outcome
import app.homeward.ui.core.Partner
import app.homeward.ui.core.ScreeningSessionPort
import app.homeward.ui.core.Verdict
import app.homeward.ui.core.Why
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.LocalStrings
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.SectionTitle
import app.homeward.ui.design.Strings
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

data class OutcomeState(
    val outcome: Outcome?,
    val language: Lang,
    val consentRecorded: Boolean,
    val error: String?,
    val busy: Boolean,
    /** The core's consent question, button and confirmation in [language]; null until loaded. */
    val consent: ConsentText? = null,
    /** The partners the recommended actions point to (the referral directory); empty without one. */
    val partners: List<Partner> = emptyList(),
    val eventSink: (OutcomeEvent) -> Unit,
)

/** The partner the app refers to, as the person knows it in [lang] (its id stays "IOM"). */
fun partnerName(lang: Lang) = if (lang == Lang.RU) "МОМ" else "IOM"

sealed interface OutcomeEvent {
    data object Finalise : OutcomeEvent
    data object ConsentToReferral : OutcomeEvent
}

/** The core's outcome (provisional until finalised), its "why", actions with their legal basis, referral consent. */
class OutcomePresenter(
    private val session: ScreeningSessionPort,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): OutcomeState {
        val scope = rememberCoroutineScope()
        var outcome by remember { mutableStateOf<Outcome?>(null) }
        var language by remember { mutableStateOf(Lang.EN) }
        var consent by remember { mutableStateOf(false) }
        var error by remember { mutableStateOf<String?>(null) }
        var busy by remember { mutableStateOf(false) }
        var wording by remember { mutableStateOf<ConsentText?>(null) }
        var partners by remember { mutableStateOf<List<Partner>>(emptyList()) }
        LaunchedEffect(Unit) {
            try {
                val (o, l, c) = withContext(io) { Triple(session.outcome(), session.language(), session.consents()) }
                wording = withContext(io) { session.consentWording(partnerName(l)) }
                partners = withContext(io) { session.referralPartners() }
                outcome = o
                language = l
                consent = c.isNotEmpty()
            } catch (e: CoreException) {
                error = e.reason
            }
        }
        fun run(block: suspend () -> Unit) {
            if (busy) return
            busy = true
            scope.launch {
                try { block() } catch (e: CoreException) { error = e.reason } finally { busy = false }
            }
        }
        return OutcomeState(outcome, language, consent, error, busy, wording, partners) { event ->
            when (event) {
                OutcomeEvent.Finalise -> run {
                    outcome = withContext(io) { session.finalise() }
                    partners = withContext(io) { session.referralPartners() }
                }
                OutcomeEvent.ConsentToReferral -> run {
                    withContext(io) { session.consentToReferral("IOM", "referral") }
                    consent = true
                }
            }
        }
    }
}

/** Words and a symbol say the verdict; the colour only repeats them. */
fun verdictSymbol(v: Verdict) = when (v) {
    Verdict.NO_INDICATORS -> "○"
    Verdict.FURTHER_INTERVIEW -> "◐"
    Verdict.PRESUMED_VICTIM -> "●"
}

fun verdictColor(v: Verdict): Color = when (v) {
    Verdict.NO_INDICATORS -> Tones.neutral
    Verdict.FURTHER_INTERVIEW -> Tones.caution
    Verdict.PRESUMED_VICTIM -> Tones.refused
}

@Composable
fun OutcomeView(state: OutcomeState, onDone: () -> Unit, modifier: Modifier = Modifier) {
    CompositionLocalProvider(LocalStrings provides Strings(state.language)) {
        val s = strings
        Screen(s.outcome, modifier, onBack = onDone) {
            val o = state.outcome
            if (o == null) {
                Body(state.error ?: s.working)
                return@Screen
            }
            Column(
                Modifier.fillMaxWidth().border(3.dp, verdictColor(o.verdict), RoundedCornerShape(8.dp)).padding(16.dp).testTag("verdict"),
            ) {
                Text(
                    verdictSymbol(o.verdict) + " " + o.text,
                    fontSize = 24.sp,
                    fontWeight = FontWeight.Bold,
                    color = verdictColor(o.verdict),
                )
                Body(o.detail)
                Text(if (o.isFinal) s.finalised else s.provisional, fontSize = 15.sp, color = Tones.neutral, modifier = Modifier.testTag("finality"))
            }
            o.childNote?.let { Notice("⚠", it, Tones.caution) }
            o.consentNote?.let { Notice("ℹ", it, Tones.neutral) }
            if (o.exploitation.isNotEmpty()) {
                Text(s.exploitation, fontWeight = FontWeight.Bold, fontSize = 17.sp)
                Body(o.exploitation.joinToString(" · "), Modifier.testTag("exploitation"))
            }
            if (o.why.isNotEmpty()) {
                SectionTitle(s.why)
                o.why.forEach { w ->
                    Text(w.element, fontWeight = FontWeight.Bold, fontSize = 17.sp)
                    w.answers.forEach { Body("• $it") }
                }
            }
            if (o.actions.isNotEmpty()) {
                SectionTitle(s.actions)
                o.actions.forEachIndexed { i, a ->
                    Text("${i + 1}. ${a.text}", fontSize = 17.sp, fontWeight = FontWeight.SemiBold)
                    Text("${s.legalBasis}: ${a.basis}", fontSize = 15.sp, color = Tones.neutral)
                }
            }
            if (state.partners.isNotEmpty()) {
                SectionTitle(s.partners)
                state.partners.forEach { p ->
                    // One node for a screen reader: the name with its phone and hours.
                    Column(Modifier.fillMaxWidth().testTag("partner-${p.id}").semantics(mergeDescendants = true) {}) {
                        Text(p.name, fontSize = 17.sp, fontWeight = FontWeight.SemiBold)
                        Body(listOfNotNull(p.phone, p.hours.ifBlank { null }).joinToString(" · "))
                    }
                }
            }
            state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
            // The consent question as the core words it: read it to the person, then record the answer.
            val c = state.consent
            if (state.consentRecorded) {
                Notice("✓", c?.recorded ?: s.consentRecorded, Tones.valid, tag = "consent-recorded")
            } else if (o.verdict != Verdict.NO_INDICATORS) {
                SectionTitle(s.consentTitle)
                c?.let { Body(it.question, Modifier.testTag("consent-question")) }
                BigButton(c?.agree ?: s.referralConsent, { state.eventSink(OutcomeEvent.ConsentToReferral) }, primary = false, enabled = !state.busy, tag = "consent")
            }
            if (!o.isFinal) BigButton(s.finalise, { state.eventSink(OutcomeEvent.Finalise) }, enabled = !state.busy, tag = "finalise")
            Text(o.disclaimer, fontSize = 13.sp, color = Tones.neutral)
        }
    }
}

object OutcomeSamples {
    private val none: (OutcomeEvent) -> Unit = {}
    fun presumedVictim(lang: Lang) = OutcomeState(
        Outcome(
            Verdict.PRESUMED_VICTIM,
            "Presumed victim of trafficking",
            "Act, means and purpose are all indicated.",
            null, null,
            listOf("Forced labour"),
            listOf(Why("Act", listOf("Recruited: yes")), Why("Means", listOf("Deceived: yes")), Why("Purpose", listOf("Forced labour: yes"))),
            listOf(Action("Refer to a shelter", "Law on counteracting trafficking, art. 20")),
            "This is a screening, not a legal finding.",
            isFinal = false,
        ),
        lang, false, null, false, eventSink = none,
    )
}
