package app.homeward.ui.unlock

import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableLongStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.core.VaultPort
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.Field
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

enum class UnlockMode { CREATE, UNLOCK, WIPED }

data class UnlockState(
    val mode: UnlockMode,
    val pin: String,
    val pinAgain: String,
    val attemptsRemaining: Int?,
    /** Seconds before the next try is allowed (the core's delay after a wrong PIN), counted down. */
    val retryInSecs: Long,
    /** The core's reason, or the app's "PINs differ". */
    val error: String?,
    val busy: Boolean,
    val unlocked: Boolean,
    /** The last unlock was cut off (the phone switched off, the app closed) and counted as a try. */
    val interrupted: Boolean = false,
    val eventSink: (UnlockEvent) -> Unit,
) {
    val canSubmit: Boolean get() = !busy && retryInSecs == 0L && pin.isNotEmpty() && mode != UnlockMode.WIPED
}

sealed interface UnlockEvent {
    data class PinChanged(val pin: String) : UnlockEvent
    data class PinAgainChanged(val pin: String) : UnlockEvent
    data object Submit : UnlockEvent
    /** After a wipe: start again with a new vault. */
    data object StartOver : UnlockEvent
}

/** Create the vault on first start, unlock it after; attempts, countdown and wipe come from the core. */
class UnlockPresenter(
    private val vault: VaultPort,
    private val pinsDiffer: String,
    private val wrongPin: String = "Wrong PIN",
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): UnlockState {
        val scope = rememberCoroutineScope()
        var mode by remember { mutableStateOf(if (vault.exists()) UnlockMode.UNLOCK else UnlockMode.CREATE) }
        var pin by remember { mutableStateOf("") }
        var pinAgain by remember { mutableStateOf("") }
        var attempts by remember { mutableStateOf<Int?>(null) }
        var retryIn by remember { mutableLongStateOf(0L) }
        var error by remember { mutableStateOf<String?>(null) }
        var busy by remember { mutableStateOf(false) }
        var unlocked by remember { mutableStateOf(false) }
        var interrupted by remember { mutableStateOf(false) }

        LaunchedEffect(mode) {
            if (mode == UnlockMode.UNLOCK) {
                runCatching { withContext(io) { vault.status() } }.onSuccess {
                    attempts = it.attemptsRemaining
                    retryIn = it.retryAfterSecs
                    unlocked = it.unlocked
                    interrupted = it.lastAttemptInterrupted
                }.onFailure { e ->
                    if (e is CoreException && e.kind == ErrorKind.Wiped) mode = UnlockMode.WIPED
                }
            }
        }
        // The countdown after a wrong PIN: the button stays disabled until it reaches 0.
        LaunchedEffect(retryIn) {
            if (retryIn > 0) {
                delay(1000)
                retryIn -= 1
            }
        }

        fun submit() {
            // The button is disabled meanwhile; a key press must not count a try either.
            if (busy || retryIn > 0 || mode == UnlockMode.WIPED) return
            if (mode == UnlockMode.CREATE && pin != pinAgain) {
                error = pinsDiffer
                return
            }
            busy = true
            error = null
            scope.launch {
                try {
                    withContext(io) { if (mode == UnlockMode.CREATE) vault.create(pin) else vault.unlock(pin) }
                    unlocked = true
                    interrupted = false
                } catch (e: CoreException) {
                    error = when (e.kind) {
                        // The core's numbers, shown in the screen's language below; not the sentence twice.
                        ErrorKind.WrongPin, ErrorKind.TooSoon -> {
                            attempts = e.attemptsRemaining
                            retryIn = e.retryAfterSecs ?: 0
                            wrongPin
                        }
                        ErrorKind.Wiped -> {
                            mode = UnlockMode.WIPED
                            e.reason
                        }
                        else -> e.reason
                    }
                } finally {
                    pin = ""
                    pinAgain = ""
                    busy = false
                }
            }
        }

        return UnlockState(mode, pin, pinAgain, attempts, retryIn, error, busy, unlocked, interrupted) { event ->
            when (event) {
                is UnlockEvent.PinChanged -> pin = event.pin
                is UnlockEvent.PinAgainChanged -> pinAgain = event.pin
                UnlockEvent.Submit -> submit()
                UnlockEvent.StartOver -> {
                    mode = UnlockMode.CREATE
                    error = null
                    attempts = null
                }
            }
        }
    }
}

@Composable
fun UnlockView(state: UnlockState, modifier: Modifier = Modifier) {
    val s = strings
    val title = when (state.mode) {
        UnlockMode.CREATE -> s.createTitle
        UnlockMode.UNLOCK -> s.unlockTitle
        UnlockMode.WIPED -> s.wipedTitle
    }
    Screen(title, modifier) {
        when (state.mode) {
            UnlockMode.WIPED -> {
                Notice("✗", s.wipedBody, Tones.refused, tag = "wiped")
                BigButton(s.newVault, { state.eventSink(UnlockEvent.StartOver) }, tag = "start-over")
            }
            UnlockMode.CREATE, UnlockMode.UNLOCK -> {
                if (state.mode == UnlockMode.CREATE) Body(s.createHint)
                Field(s.pin, state.pin, { state.eventSink(UnlockEvent.PinChanged(it)) }, secret = true, numeric = true, tag = "pin")
                if (state.mode == UnlockMode.CREATE) {
                    Field(s.pinAgain, state.pinAgain, { state.eventSink(UnlockEvent.PinAgainChanged(it)) }, secret = true, numeric = true, tag = "pin-again")
                }
                state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
                if (state.interrupted) Notice("ℹ", s.unlockInterrupted, Tones.caution, tag = "interrupted")
                state.attemptsRemaining?.let {
                    Notice(if (it <= 3) "⚠" else "ℹ", s.attemptsLeft(it), if (it <= 3) Tones.refused else Tones.neutral, tag = "attempts")
                }
                if (state.retryInSecs > 0) Notice("◷", s.waitSeconds(state.retryInSecs), Tones.caution, tag = "countdown")
                BigButton(
                    if (state.busy) s.working else if (state.mode == UnlockMode.CREATE) s.create else s.unlock,
                    { state.eventSink(UnlockEvent.Submit) },
                    enabled = state.canSubmit,
                    tag = "submit",
                )
            }
        }
    }
}

object UnlockSamples {
    private val none: (UnlockEvent) -> Unit = {}
    val create = UnlockState(UnlockMode.CREATE, "", "", null, 0, null, false, false, eventSink = none)
    val unlock = UnlockState(UnlockMode.UNLOCK, "12", "", 10, 0, null, false, false, eventSink = none)
    fun wrongPin(message: String, attempts: Int, retry: Long) = UnlockState(UnlockMode.UNLOCK, "", "", attempts, retry, message, false, false, eventSink = none)
    val wiped = UnlockState(UnlockMode.WIPED, "", "", null, 0, null, false, false, eventSink = none)
    /** After an unlock cut off by a power loss: counted, waiting out its delay. */
    val interrupted = UnlockState(UnlockMode.UNLOCK, "", "", 9, 1, null, false, false, interrupted = true, eventSink = none)
    val all = mapOf("create" to create, "unlock" to unlock, "wiped" to wiped)
}
