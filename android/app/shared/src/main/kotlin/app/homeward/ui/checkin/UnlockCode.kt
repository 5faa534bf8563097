package app.homeward.ui.checkin

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableLongStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import app.homeward.ui.core.CertificatesPort
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.core.SyncPort
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

/**
 * The check-in lock's way out at a post with no link: headquarters reads
 * a ten-character code over the phone or radio. The core checks it,
 * counts wrong ones and makes the next try wait; the screen counts down.
 */
data class UnlockCodeState(
    /** This device's id, read out to headquarters so it can compute the code. */
    val deviceId: String?,
    /** As typed, letters and digits only (a dash read out with it is dropped). */
    val code: String,
    /** Seconds before the core takes another code, counted down. */
    val retryInSecs: Long,
    /** The core's reason for the last refusal. */
    val error: String?,
    val busy: Boolean,
    /** The lock is lifted (for the core's grace period). */
    val done: Boolean,
    val eventSink: (UnlockCodeEvent) -> Unit,
) {
    val canSubmit: Boolean get() = !busy && !done && retryInSecs == 0L && code.count { it.isLetterOrDigit() } == 10
}

sealed interface UnlockCodeEvent {
    data class CodeChanged(val code: String) : UnlockCodeEvent
    data object Submit : UnlockCodeEvent
}

class UnlockCodePresenter(
    private val sync: SyncPort,
    private val certificates: CertificatesPort,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): UnlockCodeState {
        val scope = rememberCoroutineScope()
        var code by remember { mutableStateOf("") }
        var retryIn by remember { mutableLongStateOf(0L) }
        var error by remember { mutableStateOf<String?>(null) }
        var busy by remember { mutableStateOf(false) }
        var done by remember { mutableStateOf(false) }
        var deviceId by remember { mutableStateOf<String?>(null) }
        // A wait left from earlier wrong codes (the app closed meanwhile).
        LaunchedEffect(Unit) {
            try {
                withContext(io) {
                    deviceId = certificates.device().deviceId
                    retryIn = sync.unlockCodeRetryAfterSecs()
                }
            } catch (e: CoreException) {
                error = e.reason
            }
        }
        LaunchedEffect(retryIn) {
            if (retryIn > 0) {
                delay(1000)
                retryIn -= 1
            }
        }
        fun submit() {
            if (busy || done || retryIn > 0) return
            busy = true
            error = null
            scope.launch {
                try {
                    withContext(io) { sync.enterUnlockCode(code) }
                    done = true
                } catch (e: CoreException) {
                    error = e.reason
                    // A wrong code may start a wait; a try within one was not counted.
                    retryIn = when (e.kind) {
                        ErrorKind.TooSoon -> e.retryAfterSecs ?: 0
                        else -> runCatching { withContext(io) { sync.unlockCodeRetryAfterSecs() } }.getOrDefault(0)
                    }
                    code = ""
                } finally {
                    busy = false
                }
            }
        }
        return UnlockCodeState(deviceId, code, retryIn, error, busy, done) { event ->
            when (event) {
                // Letters and digits only, upper case, at most ten: the dash is the view's.
                is UnlockCodeEvent.CodeChanged ->
                    code = event.code.filter { it.isLetterOrDigit() && it.code < 128 }.uppercase().take(10)
                UnlockCodeEvent.Submit -> submit()
            }
        }
    }
}

@Composable
fun UnlockCodeView(state: UnlockCodeState, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    Screen(s.unlockCodeTitle, modifier, onBack = onBack) {
        if (state.done) {
            Notice("✓", s.unlockCodeDone, Tones.valid, tag = "unlocked")
            BigButton(s.back, onBack, tag = "done")
            return@Screen
        }
        Body(s.unlockCodeExplain)
        state.deviceId?.let { Notice("ℹ", s.thisDevice(it), Tones.neutral, tag = "device-id") }
        Field(s.unlockCode, state.code, { state.eventSink(UnlockCodeEvent.CodeChanged(it)) }, error = state.error, tag = "unlock-code")
        if (state.retryInSecs > 0) Notice("◷", s.waitSeconds(state.retryInSecs), Tones.caution, tag = "countdown")
        BigButton(if (state.busy) s.working else s.unlockCodeSubmit, { state.eventSink(UnlockCodeEvent.Submit) }, enabled = state.canSubmit, tag = "submit")
    }
}

object UnlockCodeSamples {
    private val none: (UnlockCodeEvent) -> Unit = {}
    private const val DEVICE = "osh-airport-03"
    val empty = UnlockCodeState(DEVICE, "", 0, null, false, false, none)
    val typed = UnlockCodeState(DEVICE, "K7MPQ2XW9A", 0, null, false, false, none)
    fun refused(reason: String, wait: Long) = UnlockCodeState(DEVICE, "", wait, reason, false, false, none)
    val done = UnlockCodeState(DEVICE, "", 0, null, false, true, none)
}
