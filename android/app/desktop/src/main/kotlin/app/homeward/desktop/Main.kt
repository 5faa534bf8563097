package app.homeward.desktop

import androidx.compose.runtime.LaunchedEffect
import androidx.compose.ui.unit.DpSize
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import app.homeward.ffi.softwareKeyStore
import app.homeward.ui.HomewardApp
import app.homeward.ui.core.RustVault
import app.homeward.ui.settings.InMemoryPrefs
import app.homeward.ui.sync.BackgroundSync
import java.io.File
import java.net.NetworkInterface

/**
 * The field app on a desktop (consulates at a PC, trainers): the same
 * shared screens over the Linux build of the library. The vault lives in
 * ~/.local/share/homeward-desktop (or -Dhomeward.vault.dir). The software key
 * store binds it to this machine's user account only: a training and
 * consulate-PC setup, not a phone's hardware key.
 *
 * While the window is open, a background sync runs every 15 minutes and as
 * soon as a network interface comes up, only while the vault is unlocked
 * and no sync is running (app.homeward.ui.sync.BackgroundSync).
 */
fun main() {
    val dir = File(System.getProperty("homeward.vault.dir") ?: (System.getProperty("user.home") + "/.local/share/homeward-desktop"))
    dir.mkdirs()
    val vault = RustVault(File(dir, "vault").path, softwareKeyStore(File(dir, "keys").path))
    // A listed id (`vault.crossingPoints()`; the core refuses any other) until
    // the screening start screen offers the list as a picker.
    val crossing = System.getProperty("homeward.crossing.point") ?: "MANAS"
    application {
        Window(
            onCloseRequest = { vault.lock(); exitApplication() },
            title = "Homeward",
            state = rememberWindowState(size = DpSize(420.dp, 860.dp)),
        ) {
            LaunchedEffect(Unit) {
                BackgroundSync(
                    sync = { vault.sync() },
                    unlocked = { vault.exists() && vault.status().unlocked },
                    networkUp = ::networkUp,
                ).run()
            }
            HomewardApp(vault, InMemoryPrefs(), crossing, camera = ::choosePhoto, pickFile = ::chooseTextFile)
        }
    }
}

/** A consulate PC has no camera to drive: the officer picks the photo a scanner or webcam tool saved. */
private fun choosePhoto(onTaken: (ByteArray) -> Unit) {
    val dialog = java.awt.FileDialog(null as java.awt.Frame?, "Photo (JPEG or PNG)", java.awt.FileDialog.LOAD)
    dialog.isVisible = true
    val name = dialog.file ?: return
    onTaken(File(dialog.directory, name).readBytes())
}

/** Cheap and good enough to notice a cable or Wi-Fi coming back: any interface up other than loopback. */
private fun networkUp(): Boolean =
    runCatching { NetworkInterface.getNetworkInterfaces().toList().any { it.isUp && !it.isLoopback } }.getOrDefault(false)

/** A store-and-forward bundle or receipts file from an SD card or USB stick. */
private fun chooseTextFile(onPicked: (String) -> Unit) {
    val dialog = java.awt.FileDialog(null as java.awt.Frame?, "Bundle or receipts (JSON)", java.awt.FileDialog.LOAD)
    dialog.isVisible = true
    val name = dialog.file ?: return
    onPicked(File(dialog.directory, name).readText())
}
