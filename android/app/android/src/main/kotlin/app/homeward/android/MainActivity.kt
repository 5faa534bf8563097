package app.homeward.android

import android.os.Bundle
import android.os.SystemClock
import android.view.WindowManager
import androidx.activity.ComponentActivity
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.compose.setContent
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import app.homeward.ui.HomewardApp
import app.homeward.ui.core.ScreenBrightness

/**
 * The one activity. Every screen shows or may show a person's data, so
 * FLAG_SECURE is set on the window before any content: no screenshots, no
 * screen recording, and a blank recent-apps preview. The shared
 * [HomewardApp] is the navigation host (its [app.homeward.ui.Route]s are the
 * destinations); this layer adds the platform's parts only.
 */
class MainActivity : ComponentActivity() {
    private var lockSignal by mutableIntStateOf(0)
    private var backgroundedAt = 0L

    // The applicant's photo: the system camera's preview bitmap, kept in
    // memory (never a file in shared storage), encoded as JPEG for the core.
    private var onPhoto: ((ByteArray) -> Unit)? = null
    private val takePhoto = registerForActivityResult(ActivityResultContracts.TakePicturePreview()) { bitmap ->
        val deliver = onPhoto
        onPhoto = null
        if (bitmap != null && deliver != null) {
            val out = java.io.ByteArrayOutputStream()
            bitmap.compress(android.graphics.Bitmap.CompressFormat.JPEG, 92, out)
            deliver(out.toByteArray())
        }
    }

    // The app declares CAMERA (for the scanner), so the system camera needs it granted too.
    private val askCamera = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        if (granted) takePhoto.launch(null) else onPhoto = null
    }

    private fun openCamera(onTaken: (ByteArray) -> Unit) {
        onPhoto = onTaken
        if (checkSelfPermission(android.Manifest.permission.CAMERA) == android.content.pm.PackageManager.PERMISSION_GRANTED) {
            takePhoto.launch(null)
        } else {
            askCamera.launch(android.Manifest.permission.CAMERA)
        }
    }

    // A store-and-forward bundle or receipts file (SD card, USB stick) through the
    // system's document picker: read once into memory, no storage permission.
    private var onFile: ((String) -> Unit)? = null
    private val openDocument = registerForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        val deliver = onFile
        onFile = null
        if (uri != null && deliver != null) {
            contentResolver.openInputStream(uri)?.use { deliver(it.readBytes().decodeToString()) }
        }
    }

    private fun pickFile(onPicked: (String) -> Unit) {
        onFile = onPicked
        openDocument.launch(arrayOf("application/json", "text/plain", "application/octet-stream"))
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        super.onCreate(savedInstanceState)
        if (android.os.Build.VERSION.SDK_INT >= 33) setRecentsScreenshotEnabled(false)
        val app = application as HomewardApplication
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStop(owner: LifecycleOwner) {
                backgroundedAt = SystemClock.elapsedRealtime()
            }

            // Back from the background after longer than the set timeout: lock
            // (fast, safe on the main thread) and show the unlock screen.
            override fun onStart(owner: LifecycleOwner) {
                if (backgroundedAt == 0L) return
                val away = SystemClock.elapsedRealtime() - backgroundedAt
                if (away > app.prefs.lockTimeoutMinutes * 60_000L) {
                    app.vault.lock()
                    lockSignal++
                }
            }
        })
        setContent {
            HomewardApp(
                vault = app.vault,
                prefs = app.prefs,
                lockSignal = lockSignal,
                scanner = { onScanned -> CameraScanner(onScanned) },
                brightness = ScreenBrightness { full -> setFullBrightness(full) },
                camera = ::openCamera,
                pickFile = ::pickFile,
            )
        }
    }

    /** The window's own override: the system setting is untouched and comes back with NONE. */
    private fun setFullBrightness(full: Boolean) {
        window.attributes = window.attributes.apply {
            screenBrightness = if (full) WindowManager.LayoutParams.BRIGHTNESS_OVERRIDE_FULL else WindowManager.LayoutParams.BRIGHTNESS_OVERRIDE_NONE
        }
    }

    override fun onDestroy() {
        // The process may live on (a sync worker); the keys do not stay in memory for it.
        if (isFinishing) (application as HomewardApplication).vault.lock()
        super.onDestroy()
    }
}
