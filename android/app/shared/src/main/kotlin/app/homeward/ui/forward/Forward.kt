package app.homeward.ui.forward

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import app.homeward.ui.core.BundleRefusal
import app.homeward.ui.core.CarriedItem
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.core.ForwardImported
import app.homeward.ui.core.ForwardPort
import app.homeward.ui.core.FrameCount
import app.homeward.ui.core.FrameReaderPort
import app.homeward.ui.core.LocalScreenBrightness
import app.homeward.ui.core.CarriedState
import app.homeward.ui.core.QrMatrix
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.SectionTitle
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import app.homeward.ui.request.QrCode
import app.homeward.ui.verify.Scanner
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

/** Which step a bundle refusal belongs to: it is shown there. */
enum class ForwardStep { EXPORT, READING, IMPORTING }

data class ForwardState(
    /** Events waiting to sync: what a bundle made now would carry (null until read). */
    val waiting: Int?,
    /** The bundle being shown: its frames loop on screen until the other phone has them all. */
    val showing: Boolean,
    val frame: Int,
    val frames: Int,
    val qr: QrMatrix?,
    /** Reading another device's frames: how far (null when not reading). */
    val reading: FrameCount?,
    val imported: ForwardImported?,
    val carried: List<CarriedItem>,
    val refusal: BundleRefusal?,
    val refusalAt: ForwardStep?,
    val busy: Boolean,
    val error: String?,
    val eventSink: (ForwardEvent) -> Unit,
)

sealed interface ForwardEvent {
    /** Seal what waits to sync into one bundle and show its frames. */
    data object Export : ForwardEvent
    data object StopShowing : ForwardEvent
    /** Read a colleague's bundle with the camera. */
    data object StartReading : ForwardEvent
    data class Scanned(val text: String) : ForwardEvent
    /** A bundle or receipts file, read from an SD card or USB stick. */
    data class ImportFile(val contents: String) : ForwardEvent
    /** After a refusal: drop the frames read so far and begin again. */
    data object StartAgain : ForwardEvent
}

/**
 * Store and forward for a post without a link: my outbox as QR frames for a
 * carrier to read, a colleague's frames read with the camera (or a file),
 * and what this device carries. Every refusal is the core's (code and reason).
 */
class ForwardPresenter(
    private val forward: ForwardPort,
    private val io: CoroutineContext = Dispatchers.IO,
    /** About five frames a second: a phone camera reads each in one or two of its frames. */
    private val framePeriodMs: Long = 200,
) {
    @Composable
    fun present(): ForwardState {
        val scope = rememberCoroutineScope()
        var waiting by remember { mutableStateOf<Int?>(null) }
        var qrs by remember { mutableStateOf<List<QrMatrix>>(emptyList()) }
        var frame by remember { mutableIntStateOf(0) }
        var reader by remember { mutableStateOf<FrameReaderPort?>(null) }
        var reading by remember { mutableStateOf<FrameCount?>(null) }
        var imported by remember { mutableStateOf<ForwardImported?>(null) }
        var carried by remember { mutableStateOf<List<CarriedItem>>(emptyList()) }
        // The refusal and its step change together: a screen never shows one without the other.
        var refused by remember { mutableStateOf<Pair<BundleRefusal, ForwardStep>?>(null) }
        var busy by remember { mutableStateOf(false) }
        var error by remember { mutableStateOf<String?>(null) }
        var refresh by remember { mutableIntStateOf(0) }

        LaunchedEffect(refresh) {
            try {
                waiting = withContext(io) { forward.waiting() }
                carried = withContext(io) { forward.carried() }
            } catch (e: CoreException) {
                error = e.reason
            }
        }
        // The frames loop until the officer stops: the carrier's phone may miss some.
        LaunchedEffect(qrs) {
            frame = 0
            while (qrs.isNotEmpty()) {
                delay(framePeriodMs)
                frame = (frame + 1) % qrs.size
            }
        }

        fun run(step: ForwardStep, block: suspend () -> Unit) {
            if (busy) return
            busy = true
            error = null
            refused = null
            scope.launch {
                try {
                    block()
                } catch (e: CoreException) {
                    if (e.kind == ErrorKind.BundleRefused) {
                        refused = BundleRefusal(e.code ?: "", e.reason) to step
                    } else {
                        error = e.reason
                    }
                } finally {
                    busy = false
                }
            }
        }

        fun finished(result: ForwardImported) {
            imported = result
            reader = null
            reading = null
            refresh++
        }

        return ForwardState(
            waiting, qrs.isNotEmpty(), frame, qrs.size, qrs.getOrNull(frame), reading, imported, carried,
            refused?.first, refused?.second, busy, error,
        ) { event ->
            when (event) {
                ForwardEvent.Export -> run(ForwardStep.EXPORT) {
                    qrs = withContext(io) { forward.export().frames.map(forward::qr) }
                }
                ForwardEvent.StopShowing -> {
                    qrs = emptyList()
                    refresh++
                }
                ForwardEvent.StartReading, ForwardEvent.StartAgain -> {
                    reader = forward.reader()
                    reading = FrameCount(0, 0, false)
                    imported = null
                    refused = null
                }
                is ForwardEvent.Scanned -> {
                    val r = reader
                    // The camera reads each frame many times: only a reading in progress takes them.
                    if (r != null && !busy) run(ForwardStep.READING) {
                        val count = withContext(io) { r.push(event.text) }
                        reading = count
                        if (count.complete) {
                            try {
                                finished(withContext(io) { r.finish() })
                            } catch (e: CoreException) {
                                // The frames made a bundle the core refuses: the refusal is the import's.
                                if (e.kind != ErrorKind.BundleRefused) throw e
                                reader = null
                                reading = null
                                refused = BundleRefusal(e.code ?: "", e.reason) to ForwardStep.IMPORTING
                            }
                        }
                    }
                }
                is ForwardEvent.ImportFile -> run(ForwardStep.IMPORTING) {
                    finished(withContext(io) { forward.importFile(event.contents) })
                }
            }
        }
    }
}

/** A text file the officer picks (SD card, USB stick): desktop's file chooser, Android's document picker. */
typealias TextFilePicker = (onPicked: (String) -> Unit) -> Unit

@Composable
fun ForwardView(
    state: ForwardState,
    onBack: () -> Unit,
    modifier: Modifier = Modifier,
    scanner: Scanner? = null,
    pickFile: TextFilePicker? = null,
) {
    val s = strings
    if (state.showing) {
        FramesShown(state, modifier)
        return
    }
    Screen(s.forward, modifier, onBack = onBack) {
        state.waiting?.let { Body(s.waitingToSync(it), Modifier.testTag("waiting")) }
        BigButton(s.showFrames, { state.eventSink(ForwardEvent.Export) }, enabled = !state.busy && (state.waiting ?: 0) > 0, tag = "export")
        Refusal(state, ForwardStep.EXPORT)

        SectionTitle(s.fromColleague)
        val reading = state.reading
        if (reading != null) {
            LinearProgressIndicator(
                progress = { if (reading.needed == 0) 0f else (reading.received.toFloat() / reading.needed).coerceAtMost(1f) },
                modifier = Modifier.fillMaxWidth().testTag("frames-progress"),
            )
            Body(s.framesRead(reading.received, reading.needed), Modifier.testTag("frames-read"))
            scanner?.invoke { state.eventSink(ForwardEvent.Scanned(it)) }
        } else if (scanner != null) {
            BigButton(s.readFrames, { state.eventSink(ForwardEvent.StartReading) }, enabled = !state.busy, tag = "read")
        }
        Refusal(state, ForwardStep.READING)
        if (pickFile != null) {
            BigButton(s.importFile, { pickFile { state.eventSink(ForwardEvent.ImportFile(it)) } }, primary = false, enabled = !state.busy, tag = "import-file")
        }
        Refusal(state, ForwardStep.IMPORTING)
        when (val i = state.imported) {
            is ForwardImported.Bundle -> Notice("✓", s.bundleTaken(i.events), Tones.valid, tag = "imported")
            is ForwardImported.Receipts -> Notice("✓", s.receiptsApplied(i.applied), Tones.valid, tag = "imported")
            null -> {}
        }

        if (state.carried.isNotEmpty()) {
            SectionTitle(s.carrying)
            for (c in state.carried) {
                val line = when (c.state) {
                    CarriedState.PENDING -> s.carriedPending(c.events)
                    CarriedState.DELIVERED -> s.carriedDelivered(c.events)
                    CarriedState.REFUSED -> s.carriedRefused(c.events)
                }
                Body(line + " · " + c.bundleId.takeLast(8) + (c.refusal?.let { " · $it" } ?: ""), Modifier.testTag("carried-${c.bundleId}"))
            }
        }
        state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
    }
}

/** The core's refusal where its step is, with the one action that helps. */
@Composable
private fun Refusal(state: ForwardState, step: ForwardStep) {
    val r = state.refusal ?: return
    if (state.refusalAt != step) return
    Notice("✗", r.reason, Tones.refused, tag = "refusal-${r.code}")
    // Frames of two bundles, or frames that made a refused bundle: the reading starts over.
    if (step != ForwardStep.EXPORT) BigButton(strings.startAgain, { state.eventSink(ForwardEvent.StartAgain) }, primary = false, tag = "start-again")
}

/** One frame after another, full screen at full brightness, like a certificate's code. */
@Composable
private fun FramesShown(state: ForwardState, modifier: Modifier) {
    val s = strings
    val brightness = LocalScreenBrightness.current
    DisposableEffect(brightness) {
        brightness.full(true)
        onDispose { brightness.full(false) }
    }
    Screen(s.forward, modifier, onBack = { state.eventSink(ForwardEvent.StopShowing) }) {
        state.qr?.let {
            QrCode(it.width, it.modules, Modifier.fillMaxWidth().testTag("frame-qr").semantics { contentDescription = s.frameOf(state.frame + 1, state.frames) })
        }
        Body(s.frameOf(state.frame + 1, state.frames), Modifier.testTag("frame-of"))
        Body(s.holdToCamera)
        BigButton(s.stopShowing, { state.eventSink(ForwardEvent.StopShowing) }, tag = "stop-showing")
    }
}

object ForwardSamples {
    private val none: (ForwardEvent) -> Unit = {}
    private fun state(
        waiting: Int? = 3,
        qr: QrMatrix? = null,
        frames: Int = 0,
        reading: FrameCount? = null,
        imported: ForwardImported? = null,
        carried: List<CarriedItem> = emptyList(),
        refusal: BundleRefusal? = null,
        at: ForwardStep? = null,
    ) = ForwardState(waiting, qr != null, 2, frames, qr, reading, imported, carried, refusal, at, false, null, none)

    val outbox = state(carried = listOf(CarriedItem("fwd-0001-7a3c91e2", 12, CarriedState.PENDING, null), CarriedItem("fwd-0002-c04d5b11", 4, CarriedState.DELIVERED, null)))
    fun showing(qr: QrMatrix, frames: Int) = state(qr = qr, frames = frames)
    val reading = state(reading = FrameCount(41, 96, false))
    val taken = state(waiting = 0, imported = ForwardImported.Bundle(12), carried = listOf(CarriedItem("fwd-0001-7a3c91e2", 12, CarriedState.PENDING, null)))
    fun refused(refusal: BundleRefusal, at: ForwardStep) = state(refusal = refusal, at = at)
}
