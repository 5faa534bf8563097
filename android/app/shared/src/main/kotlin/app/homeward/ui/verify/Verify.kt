package app.homeward.ui.verify

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.homeward.ui.core.CertificatesPort
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.Refusal
import app.homeward.ui.core.Verification
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.Field
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

data class VerifyState(
    val manual: String,
    val result: Verification?,
    val entryRecorded: Boolean,
    val error: String?,
    val busy: Boolean,
    val eventSink: (VerifyEvent) -> Unit,
)

sealed interface VerifyEvent {
    /** What the camera's barcode reader decoded, as it is. */
    data class Scanned(val barcode: String) : VerifyEvent
    data class ManualChanged(val text: String) : VerifyEvent
    data object CheckManual : VerifyEvent
    data object RecordEntry : VerifyEvent
    data object Reset : VerifyEvent
}

/** Verification at entry: offline, by the core; a refusal is a result with its explanation. */
class VerifyPresenter(
    private val certificates: CertificatesPort,
    private val crossingPoint: String,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): VerifyState {
        val scope = rememberCoroutineScope()
        var manual by remember { mutableStateOf("") }
        var barcode by remember { mutableStateOf<String?>(null) }
        var result by remember { mutableStateOf<Verification?>(null) }
        var entry by remember { mutableStateOf(false) }
        var error by remember { mutableStateOf<String?>(null) }
        var busy by remember { mutableStateOf(false) }
        fun run(block: suspend () -> Unit) {
            if (busy) return
            busy = true
            error = null
            scope.launch { try { block() } catch (e: CoreException) { error = e.reason } finally { busy = false } }
        }
        fun check(code: String) = run {
            barcode = code
            entry = false
            result = withContext(io) { certificates.verify(code) }
        }
        return VerifyState(manual, result, entry, error, busy) { event ->
            when (event) {
                is VerifyEvent.Scanned -> check(event.barcode)
                is VerifyEvent.ManualChanged -> manual = event.text
                VerifyEvent.CheckManual -> check(manual.trim())
                VerifyEvent.RecordEntry -> run {
                    val code = barcode ?: return@run
                    val r = withContext(io) { certificates.recordEntry(code, crossingPoint) }
                    result = r
                    entry = r is Verification.Valid
                }
                VerifyEvent.Reset -> {
                    manual = ""
                    barcode = null
                    result = null
                    entry = false
                    error = null
                }
            }
        }
    }
}

/**
 * A camera with a barcode reader, given by the platform (CameraX + [QrDecoder]
 * on Android; none on the desktop): it calls back with the decoded text.
 */
typealias Scanner = @Composable (onScanned: (String) -> Unit) -> Unit

@Composable
fun VerifyView(state: VerifyState, onBack: () -> Unit, modifier: Modifier = Modifier, scanner: Scanner? = null) {
    val s = strings
    Screen(s.verifyCertificate, modifier, onBack = onBack) {
        when (val r = state.result) {
            null -> {
                Body(s.scanHint)
                scanner?.invoke { state.eventSink(VerifyEvent.Scanned(it)) }
                Field(s.manualEntry, state.manual, { state.eventSink(VerifyEvent.ManualChanged(it)) }, tag = "manual", singleLine = false)
                BigButton(s.check, { state.eventSink(VerifyEvent.CheckManual) }, enabled = !state.busy && state.manual.isNotBlank(), tag = "check")
            }
            is Verification.Valid -> {
                Banner("✓ " + s.valid, Tones.valid, "verdict-valid")
                Text(r.holder, fontSize = 26.sp, fontWeight = FontWeight.Bold, modifier = Modifier.testTag("holder"))
                Body("${s.born}: ${r.dateOfBirth}")
                Body("№ ${r.number}")
                Body("${s.expires}: ${r.expiryDate}")
                Body("${s.issuedBy}: ${r.issuingOffice}")
                r.warnings.forEach { Notice("⚠", it, Tones.caution) }
                Body(s.listAge(r.trustListAgeHours))
                if (state.entryRecorded) {
                    Notice("✓", s.entryRecorded, Tones.valid, tag = "entry-recorded")
                } else {
                    BigButton(s.recordEntry, { state.eventSink(VerifyEvent.RecordEntry) }, enabled = !state.busy, tag = "record-entry")
                }
                BigButton(s.scanAnother, { state.eventSink(VerifyEvent.Reset) }, primary = false, tag = "reset")
            }
            is Verification.Refused -> {
                Banner("✗ " + s.refused, Tones.refused, "verdict-refused")
                Text(s.refusalAdvice(r.reason), fontSize = 22.sp, fontWeight = FontWeight.Bold, modifier = Modifier.testTag("advice"))
                Text(r.explanation, fontSize = 18.sp, modifier = Modifier.testTag("explanation"))
                BigButton(s.scanAnother, { state.eventSink(VerifyEvent.Reset) }, tag = "reset")
            }
        }
        state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
    }
}

/** A full-width block: a symbol and a word in large type on the colour, readable at arm's length. */
@Composable
private fun Banner(text: String, color: Color, tag: String) {
    Column(Modifier.fillMaxWidth().background(color).padding(vertical = 24.dp, horizontal = 16.dp).testTag(tag).semantics(mergeDescendants = true) {}) {
        Text(text, color = Color.White, fontSize = 36.sp, fontWeight = FontWeight.Black)
    }
}

object VerifySamples {
    private val none: (VerifyEvent) -> Unit = {}
    val empty = VerifyState("", null, false, null, false, none)
    val valid = VerifyState(
        "", Verification.Valid("IST-2026-000001", "Sadykov Bakyt", "1988-08-08", "IST", "2026-12-22", 0, emptyList(), 2), false, null, false, none,
    )
    fun refused(explanation: String) = VerifyState("", Verification.Refused(Refusal.BAD_SIGNATURE, explanation), false, null, false, none)
}
