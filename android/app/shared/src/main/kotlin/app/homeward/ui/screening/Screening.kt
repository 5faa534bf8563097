package app.homeward.ui.screening

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.material3.Checkbox
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.toggleable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.homeward.ui.core.Answer
import app.homeward.ui.core.AnswerType
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.Lang
import app.homeward.ui.core.Option
import app.homeward.ui.core.Progress
import app.homeward.ui.core.Question
import app.homeward.ui.core.ScreeningSessionPort
import app.homeward.ui.core.YesNo
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.Field
import app.homeward.ui.design.LanguageSwitch
import app.homeward.ui.design.LocalStrings
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.Strings
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

enum class ScreeningPhase { LOADING, ASKING, PRIVATE_PROMPT, DONE }

data class ScreeningState(
    val phase: ScreeningPhase,
    val question: Question?,
    val progress: Progress?,
    /** What is typed for a text, number or date question; ticked ids for a multiple choice. */
    val typed: String,
    val ticked: Set<String>,
    /** The core's reason for a refused answer, under the question. */
    val error: String?,
    val language: Lang,
    val canGoBack: Boolean,
    val busy: Boolean,
    val eventSink: (ScreeningEvent) -> Unit,
)

sealed interface ScreeningEvent {
    data class AnswerYesNo(val value: YesNo) : ScreeningEvent
    data class Choose(val optionId: String) : ScreeningEvent
    data class Toggle(val optionId: String) : ScreeningEvent
    data class Type(val text: String) : ScreeningEvent
    /** Sends what is typed or ticked. */
    data object Confirm : ScreeningEvent
    data object Skip : ScreeningEvent
    data object Back : ScreeningEvent
    data class SwitchLanguage(val language: Lang) : ScreeningEvent
    data object StartPrivateInterview : ScreeningEvent
}

/**
 * The screening, one question at a time, as the core orders it: the app
 * never decides what comes next. Back re-opens the previous question (its
 * new answer replaces the old one); the next question is asked of the core again.
 */
class ScreeningPresenter(
    private val session: ScreeningSessionPort,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): ScreeningState {
        val scope = rememberCoroutineScope()
        var phase by remember { mutableStateOf(ScreeningPhase.LOADING) }
        var question by remember { mutableStateOf<Question?>(null) }
        var progress by remember { mutableStateOf<Progress?>(null) }
        var typed by remember { mutableStateOf("") }
        var ticked by remember { mutableStateOf(emptySet<String>()) }
        var error by remember { mutableStateOf<String?>(null) }
        var language by remember { mutableStateOf(Lang.EN) }
        var busy by remember { mutableStateOf(false) }
        val history = remember { mutableStateListOf<String>() }

        fun show(q: Question?, p: Progress) {
            progress = p
            question = q
            typed = ""
            ticked = emptySet()
            error = null
            phase = when {
                q != null -> ScreeningPhase.ASKING
                p.leftForPrivate > 0 && !p.inPrivateInterview -> ScreeningPhase.PRIVATE_PROMPT
                else -> ScreeningPhase.DONE
            }
        }

        fun run(block: suspend () -> Unit) {
            if (busy) return
            busy = true
            scope.launch {
                try {
                    block()
                } catch (e: CoreException) {
                    error = e.reason
                } finally {
                    busy = false
                }
            }
        }

        fun send(answer: Answer?) = run {
            val q = question ?: return@run
            val (next, p) = withContext(io) {
                val p = if (answer == null) session.skip(q.id) else session.answer(q.id, answer)
                session.next() to p
            }
            history += q.id
            show(next, p)
        }

        LaunchedEffect(Unit) {
            val (q, p, l) = withContext(io) { Triple(session.next(), session.progress(), session.language()) }
            language = l
            show(q, p)
        }

        return ScreeningState(phase, question, progress, typed, ticked, error, language, history.isNotEmpty(), busy) { event ->
            when (event) {
                is ScreeningEvent.AnswerYesNo -> send(Answer.Tri(event.value))
                is ScreeningEvent.Choose -> send(Answer.Choice(event.optionId))
                is ScreeningEvent.Toggle -> ticked = if (event.optionId in ticked) ticked - event.optionId else ticked + event.optionId
                is ScreeningEvent.Type -> typed = event.text
                ScreeningEvent.Confirm -> when (val t = question?.type) {
                    is AnswerType.Multiple -> send(Answer.Choices(t.options.map { it.id }.filter { it in ticked }))
                    is AnswerType.Number -> typed.replace(',', '.').toDoubleOrNull()
                        // A number field that does not parse is not sent (the keyboard is numeric).
                        ?.let { send(Answer.Number(it)) }
                    AnswerType.Date -> send(Answer.Date(typed.trim()))
                    is AnswerType.Text -> send(Answer.Text(typed))
                    else -> Unit
                }
                ScreeningEvent.Skip -> send(null)
                ScreeningEvent.Back -> run {
                    val id = history.removeLastOrNull() ?: return@run
                    val (q, p) = withContext(io) { session.question(id) to session.progress() }
                    show(q, p)
                }
                is ScreeningEvent.SwitchLanguage -> run {
                    val id = question?.id
                    val q = withContext(io) {
                        session.setLanguage(event.language)
                        if (id != null) session.question(id) else null
                    }
                    language = event.language
                    if (q != null) question = q
                }
                ScreeningEvent.StartPrivateInterview -> run {
                    val (q, p) = withContext(io) { session.moveToPrivate().let { session.next() to it } }
                    show(q, p)
                }
            }
        }
    }
}

@Composable
fun ScreeningView(
    state: ScreeningState,
    onOutcome: () -> Unit,
    onClose: () -> Unit,
    modifier: Modifier = Modifier,
) {
    // The screen speaks the session's language: the person may read it too.
    CompositionLocalProvider(LocalStrings provides Strings(state.language)) {
        val s = strings
        Screen(
            state.question?.section ?: s.newScreening,
            modifier,
            onBack = if (state.canGoBack) ({ state.eventSink(ScreeningEvent.Back) }) else onClose,
            actions = { LanguageSwitch(state.language, { state.eventSink(ScreeningEvent.SwitchLanguage(it)) }) },
        ) {
            state.progress?.let { p ->
                val total = maxOf(p.total, 1)
                LinearProgressIndicator(
                    progress = { p.done.toFloat() / total },
                    modifier = Modifier.fillMaxWidth().heightIn(min = 8.dp).testTag("progress").semantics {
                        contentDescription = "${p.done} / ${p.total}"
                    },
                )
            }
            when (state.phase) {
                ScreeningPhase.LOADING -> Body(s.working)
                ScreeningPhase.ASKING -> state.question?.let { QuestionBody(it, state, s) }
                ScreeningPhase.PRIVATE_PROMPT -> {
                    Notice("◆", s.privateInterviewBody, Tones.caution, tag = "private-prompt")
                    BigButton(s.startPrivate, { state.eventSink(ScreeningEvent.StartPrivateInterview) }, tag = "start-private")
                    BigButton(s.seeOutcome, onOutcome, primary = false, tag = "outcome")
                }
                ScreeningPhase.DONE -> BigButton(s.seeOutcome, onOutcome, tag = "outcome")
            }
        }
    }
}

@Composable
private fun QuestionBody(q: Question, state: ScreeningState, s: Strings) {
    Text(
        (if (q.privateOnly) "◆ " + s.privateInterview + " · " else "") + s.questionOf(q.position, q.total),
        fontSize = 15.sp,
        color = Tones.neutral,
        modifier = Modifier.testTag("position"),
    )
    Text(q.text, fontSize = 24.sp, fontWeight = FontWeight.SemiBold, modifier = Modifier.testTag("question"))
    q.travellerText?.let { Text(it, fontSize = 18.sp, color = Tones.neutral) }
    q.help?.let { Body("ℹ $it") }
    state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "answer-error") }
    val busy = state.busy
    when (val t = q.type) {
        AnswerType.YesNo -> {
            BigButton(s.yes, { state.eventSink(ScreeningEvent.AnswerYesNo(YesNo.YES)) }, enabled = !busy, tag = "yes")
            BigButton(s.no, { state.eventSink(ScreeningEvent.AnswerYesNo(YesNo.NO)) }, enabled = !busy, tag = "no")
            BigButton(s.unknown, { state.eventSink(ScreeningEvent.AnswerYesNo(YesNo.UNKNOWN)) }, enabled = !busy, primary = false, tag = "unknown")
        }
        is AnswerType.Single -> t.options.forEach { o ->
            BigButton(o.text, { state.eventSink(ScreeningEvent.Choose(o.id)) }, enabled = !busy, primary = false, tag = "option-${o.id}")
        }
        is AnswerType.Multiple -> {
            t.options.forEach { o -> TickRow(o, o.id in state.ticked) { state.eventSink(ScreeningEvent.Toggle(o.id)) } }
            BigButton(s.next, { state.eventSink(ScreeningEvent.Confirm) }, enabled = !busy, tag = "confirm")
        }
        is AnswerType.Text, is AnswerType.Number, AnswerType.Date -> {
            Field(
                q.hint,
                state.typed,
                { state.eventSink(ScreeningEvent.Type(it)) },
                numeric = t is AnswerType.Number,
                singleLine = t !is AnswerType.Text,
                tag = "answer",
            )
            BigButton(s.next, { state.eventSink(ScreeningEvent.Confirm) }, enabled = !busy && state.typed.isNotBlank(), tag = "confirm")
        }
    }
    if (!q.required) BigButton(s.skip, { state.eventSink(ScreeningEvent.Skip) }, enabled = !busy, primary = false, tag = "skip")
}

@Composable
private fun TickRow(option: Option, ticked: Boolean, onToggle: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = 56.dp)
            .toggleable(value = ticked, role = Role.Checkbox, onValueChange = { onToggle() })
            .testTag("option-${option.id}"),
        verticalAlignment = Alignment.CenterVertically,
        horizontalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        Checkbox(checked = ticked, onCheckedChange = null)
        Text(option.text, fontSize = 18.sp)
    }
}

@Suppress("unused")
@Composable
private fun RadioRow(option: Option, selected: Boolean, onSelect: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = 56.dp).selectable(selected, role = Role.RadioButton, onClick = onSelect),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        RadioButton(selected = selected, onClick = null)
        Text(option.text, fontSize = 18.sp)
    }
}

object ScreeningSamples {
    private val none: (ScreeningEvent) -> Unit = {}
    private val progress = Progress(answered = 6, skipped = 1, done = 7, total = 24, canFinalise = false, inPrivateInterview = false, leftForPrivate = 6, isFinal = false)
    fun yesNo(lang: Lang, text: String, section: String) = ScreeningState(
        ScreeningPhase.ASKING,
        Question("recruited", 8, 24, section, text, null, null, true, AnswerType.YesNo, "", false),
        progress, "", emptySet(), null, lang, true, false, none,
    )
    fun choice(lang: Lang, text: String, section: String, options: List<Option>) = ScreeningState(
        ScreeningPhase.ASKING,
        Question("documents", 3, 24, section, text, null, null, false, AnswerType.Single(options), "", false),
        progress, "", emptySet(), null, lang, true, false, none,
    )
    fun dateWithError(lang: Lang, text: String, section: String, error: String) = ScreeningState(
        ScreeningPhase.ASKING,
        Question("date_of_birth", 2, 24, section, text, null, null, false, AnswerType.Date, "YYYY-MM-DD", false),
        progress, "2090-01-01", emptySet(), error, lang, true, false, none,
    )
    fun privatePrompt(lang: Lang) = ScreeningState(ScreeningPhase.PRIVATE_PROMPT, null, progress, "", emptySet(), null, lang, true, false, none)
}
