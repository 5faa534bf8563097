package app.homeward.android

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.view.LifecycleCameraController
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import app.homeward.ui.verify.QrDecoder

/**
 * The camera on the scan screen only: the permission is asked when this
 * screen opens, never before; refused, nothing is shown and the shared
 * screen's manual entry stays (it is always there). Frames go to the same
 * [QrDecoder] the JVM tests run on QR codes the core made.
 */
@Composable
fun CameraScanner(onScanned: (String) -> Unit) {
    val context = LocalContext.current
    var granted by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted = it }
    LaunchedEffect(Unit) { if (!granted) ask.launch(Manifest.permission.CAMERA) }
    if (!granted) return
    val owner = LocalLifecycleOwner.current
    val controller = remember {
        LifecycleCameraController(context).apply {
            imageAnalysisBackpressureStrategy = ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST
            setImageAnalysisAnalyzer(ContextCompat.getMainExecutor(context)) { frame ->
                frame.use { decode(it)?.let(onScanned) }
            }
            bindToLifecycle(owner)
        }
    }
    AndroidView(
        factory = { PreviewView(it).apply { this.controller = controller } },
        modifier = Modifier.fillMaxWidth().aspectRatio(1f),
    )
}

/** The luminance plane of a YUV frame as grey ARGB pixels for the decoder. */
private fun decode(frame: ImageProxy): String? {
    val plane = frame.planes[0]
    val w = frame.width
    val h = frame.height
    val buf = plane.buffer
    val argb = IntArray(w * h)
    for (y in 0 until h) for (x in 0 until w) {
        val l = buf.get(y * plane.rowStride + x * plane.pixelStride).toInt() and 0xFF
        argb[y * w + x] = (0xFF shl 24) or (l shl 16) or (l shl 8) or l
    }
    return QrDecoder.decode(argb, w, h)
}
