package app.homeward.ui.sync

import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.core.LostItem
import app.homeward.ui.core.SyncPort
import app.homeward.ui.core.SyncProgress
import app.homeward.ui.core.SyncReport
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

data class SyncState(
    val running: Boolean,
    val progress: SyncProgress?,
    val report: SyncReport?,
    val cancelled: Boolean,
    val error: String?,
    /** Restored from an older copy: what it lacked, shown until the officer acknowledges it. */
    val lost: List<LostItem>?,
    val eventSink: (SyncEvent) -> Unit,
)

sealed interface SyncEvent {
    data object Start : SyncEvent
    data object Cancel : SyncEvent
    data object AcknowledgeRestore : SyncEvent
}

/** One sync with headquarters, its progress as the core reports it, and a Cancel that keeps what was done. */
class SyncPresenter(
    private val sync: SyncPort,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): SyncState {
        val scope = rememberCoroutineScope()
        var running by remember { mutableStateOf(false) }
        var progress by remember { mutableStateOf<SyncProgress?>(null) }
        var report by remember { mutableStateOf<SyncReport?>(null) }
        var cancelled by remember { mutableStateOf(false) }
        var error by remember { mutableStateOf<String?>(null) }
        var lost by remember { mutableStateOf<List<LostItem>?>(null) }
        // Read again after each sync: the one that finds the restore fills it.
        LaunchedEffect(report) {
            try { lost = withContext(io) { sync.restoreReport() } } catch (e: CoreException) { error = e.reason }
        }
        return SyncState(running, progress, report, cancelled, error, lost) { event ->
            when (event) {
                SyncEvent.Start -> if (!running) {
                    running = true
                    cancelled = false
                    error = null
                    report = null
                    scope.launch {
                        try {
                            // Progress arrives on the syncing thread; a snapshot write is safe from any thread.
                            report = withContext(io) { sync.sync { p -> progress = p } }
                        } catch (e: CoreException) {
                            if (e.kind == ErrorKind.Cancelled) cancelled = true
                            error = e.reason
                        } finally {
                            running = false
                        }
                    }
                }
                SyncEvent.Cancel -> sync.cancel()
                SyncEvent.AcknowledgeRestore -> scope.launch {
                    try {
                        withContext(io) { sync.acknowledgeRestore() }
                        lost = null
                    } catch (e: CoreException) {
                        error = e.reason
                    }
                }
            }
        }
    }
}

@Composable
fun SyncView(state: SyncState, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    Screen(s.sync, modifier, onBack = onBack) {
        if (state.running) LinearProgressIndicator(Modifier.fillMaxWidth().testTag("sync-progress"))
        state.progress?.let {
            Body(s.sent(it.eventsSent, it.bytesSent))
            Body(s.received(it.eventsReceived, it.bytesReceived))
        }
        state.report?.let {
            Notice("✓", s.syncDone, Tones.valid, tag = "sync-done")
            if (it.rollbackDetected) Notice("⚠", s.rollback, Tones.refused)
        }
        state.lost?.let { items ->
            Notice("⚠", s.restoreLost(items.size), Tones.refused, tag = "restore-report")
            for (i in items) {
                Body(
                    (if (i.isCase) s.lostCase else s.lostScreening) + " " + i.id.take(8) + " · " + i.madeDate + " · " +
                        (if (i.recovered) s.lostRecovered else s.lostOnlyAtHq),
                    Modifier.testTag("lost-${i.id}"),
                )
            }
            BigButton(s.restoreRead, { state.eventSink(SyncEvent.AcknowledgeRestore) }, primary = false, tag = "acknowledge-restore")
        }
        if (state.cancelled) Notice("■", s.syncCancelled, Tones.caution, tag = "sync-cancelled")
        else state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
        if (state.running) BigButton(s.cancel, { state.eventSink(SyncEvent.Cancel) }, primary = false, tag = "cancel")
        else BigButton(s.syncNow, { state.eventSink(SyncEvent.Start) }, tag = "sync")
    }
}

data class EnrolState(
    val url: String,
    val code: String,
    val caPem: String,
    val label: String,
    val enrolledOffice: String?,
    val error: String?,
    val busy: Boolean,
    val eventSink: (EnrolEvent) -> Unit,
)

sealed interface EnrolEvent {
    data class Edit(val url: String, val code: String, val caPem: String, val label: String) : EnrolEvent
    data object Enrol : EnrolEvent
}

/** Enrolment: headquarters' address, the one-time code and its TLS authority, pinned from then on. */
class EnrolPresenter(private val sync: SyncPort, private val io: CoroutineContext = Dispatchers.IO) {
    @Composable
    fun present(): EnrolState {
        val scope = rememberCoroutineScope()
        var url by remember { mutableStateOf("https://") }
        var code by remember { mutableStateOf("") }
        var pem by remember { mutableStateOf("") }
        var label by remember { mutableStateOf("") }
        var office by remember { mutableStateOf<String?>(null) }
        var error by remember { mutableStateOf<String?>(null) }
        var busy by remember { mutableStateOf(false) }
        return EnrolState(url, code, pem, label, office, error, busy) { event ->
            when (event) {
                is EnrolEvent.Edit -> {
                    url = event.url; code = event.code; pem = event.caPem; label = event.label
                }
                EnrolEvent.Enrol -> if (!busy) {
                    busy = true
                    error = null
                    scope.launch {
                        try {
                            office = withContext(io) { sync.enrol(url.trim(), code.trim(), label.ifBlank { "phone" }, pem.ifBlank { null }) }
                        } catch (e: CoreException) {
                            error = e.reason
                        } finally {
                            busy = false
                        }
                    }
                }
            }
        }
    }
}

@Composable
fun EnrolView(state: EnrolState, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    fun edit(url: String = state.url, code: String = state.code, pem: String = state.caPem, label: String = state.label) =
        state.eventSink(EnrolEvent.Edit(url, code, pem, label))
    Screen(s.enrol, modifier, onBack = onBack) {
        state.enrolledOffice?.let { Notice("✓", s.enrolled(it), Tones.valid, tag = "enrolled") }
        Field(s.serverUrl, state.url, { edit(url = it) }, tag = "url")
        Field(s.enrolmentCode, state.code, { edit(code = it) }, tag = "code")
        Field(s.authority, state.caPem, { edit(pem = it) }, tag = "ca", singleLine = false)
        Field(s.deviceLabel, state.label, { edit(label = it) }, tag = "label")
        state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
        BigButton(if (state.busy) s.working else s.enrol, { state.eventSink(EnrolEvent.Enrol) }, enabled = !state.busy && state.code.isNotBlank(), tag = "enrol")
    }
}
