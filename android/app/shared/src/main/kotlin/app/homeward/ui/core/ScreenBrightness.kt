package app.homeward.ui.core

import androidx.compose.runtime.staticCompositionLocalOf

/**
 * The platform's screen brightness. A certificate's QR code is shown at full
 * brightness so that a scanner at a sunlit crossing reads it, and the
 * officer's setting comes back when the screen goes (Android: the window's
 * brightness override; iOS: UIScreen). The desktop build leaves the screen alone.
 */
fun interface ScreenBrightness {
    fun full(on: Boolean)

    companion object {
        val Unchanged = ScreenBrightness {}
    }
}

val LocalScreenBrightness = staticCompositionLocalOf { ScreenBrightness.Unchanged }
