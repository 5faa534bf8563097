package app.homeward.ui

import androidx.compose.runtime.Composable
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.graphics.toComposeImageBitmap
import androidx.compose.ui.unit.Density
import app.homeward.ui.core.Lang
import app.homeward.ui.design.HomewardTheme
import org.jetbrains.skia.EncodedImageFormat
import org.jetbrains.skia.Image
import java.io.File

/** A phone's screen in dp (a common 360 x 800 Android size), rendered at 1 px per dp (small golden files). */
const val PHONE_WIDTH_DP = 360
const val PHONE_HEIGHT_DP = 800
const val PHONE_DENSITY = 1f

/** Renders [content] headless (no display) in the app's theme for [lang]. */
fun render(lang: Lang, density: Float = PHONE_DENSITY, content: @Composable () -> Unit): Image {
    val scene = ImageComposeScene(
        width = (PHONE_WIDTH_DP * density).toInt(),
        height = (PHONE_HEIGHT_DP * density).toInt(),
        density = Density(density),
    ) { HomewardTheme(lang) { content() } }
    try {
        return scene.render()
    } finally {
        scene.close()
    }
}

fun Image.png(): ByteArray = encodeToData(EncodedImageFormat.PNG)!!.bytes

/** ARGB pixels of a render, as a camera frame would give them. */
fun Image.argb(): IntArray {
    val awt = toComposeImageBitmap().toAwtImage()
    return awt.getRGB(0, 0, awt.width, awt.height, null, 0, awt.width)
}

/**
 * Golden images: each render is written under target/screenshots (the
 * artifacts to look at) and compared byte for byte with the committed one in
 * src/test/resources/golden; -Dhomeward.update.goldens=true rewrites them.
 * Desktop pixels (DejaVu, desktop text metrics), not a device's: they guard
 * against regressions; they are not what a phone shows exactly.
 */
object Goldens {
    private val goldenDir = File(System.getProperty("homeward.golden.dir") ?: "src/test/resources/golden")
    private val outDir = File(System.getProperty("homeward.screenshot.dir") ?: "target/screenshots")
    private val update = System.getProperty("homeward.update.goldens") == "true"

    /** Returns null when it matches, else what is wrong. */
    fun check(name: String, png: ByteArray): String? {
        outDir.mkdirs()
        File(outDir, "$name.png").writeBytes(png)
        val golden = File(goldenDir, "$name.png")
        if (update) {
            goldenDir.mkdirs()
            golden.writeBytes(png)
            return null
        }
        if (!golden.exists()) return "$name: no golden image (run with -Dhomeward.update.goldens=true, look at it, commit it)"
        return if (golden.readBytes().contentEquals(png)) null else "$name: differs from its golden (see ${File(outDir, "$name.png")})"
    }
}
