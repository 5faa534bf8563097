package app.homeward.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import app.homeward.ui.checkin.UnlockCodePresenter
import app.homeward.ui.checkin.UnlockCodeView
import app.homeward.ui.core.LocalScreenBrightness
import app.homeward.ui.core.ScreenBrightness
import app.homeward.ui.core.ScreeningSessionPort
import app.homeward.ui.core.VaultPort
import app.homeward.ui.design.HomewardTheme
import app.homeward.ui.design.Strings
import app.homeward.ui.forward.ForwardPresenter
import app.homeward.ui.forward.ForwardView
import app.homeward.ui.forward.TextFilePicker
import app.homeward.ui.home.HomeAction
import app.homeward.ui.home.HomePresenter
import app.homeward.ui.home.HomeView
import app.homeward.ui.request.RequestListPresenter
import app.homeward.ui.request.RequestListView
import app.homeward.ui.request.PhotoCamera
import app.homeward.ui.request.RequestPresenter
import app.homeward.ui.request.RequestView
import app.homeward.ui.screening.OutcomePresenter
import app.homeward.ui.screening.OutcomeView
import app.homeward.ui.screening.ScreeningPresenter
import app.homeward.ui.screening.ScreeningView
import app.homeward.ui.settings.AppPrefs
import app.homeward.ui.settings.SettingsPresenter
import app.homeward.ui.settings.SettingsView
import app.homeward.ui.sync.EnrolPresenter
import app.homeward.ui.sync.EnrolView
import app.homeward.ui.sync.SyncPresenter
import app.homeward.ui.sync.SyncView
import app.homeward.ui.unlock.UnlockPresenter
import app.homeward.ui.unlock.UnlockView
import app.homeward.ui.verify.Scanner
import app.homeward.ui.verify.VerifyPresenter
import app.homeward.ui.verify.VerifyView

/** Where the officer is. The Android build maps these onto its navigation host one to one. */
sealed interface Route {
    data object Unlock : Route
    data object Home : Route
    data class Screening(val session: ScreeningSessionPort) : Route
    data class Outcome(val session: ScreeningSessionPort) : Route
    data object Verify : Route
    data object Request : Route
    data object Requests : Route
    data object Sync : Route
    data object Forward : Route
    data object Settings : Route
    data object Enrol : Route
    data object UnlockCode : Route
}

/**
 * The whole app over one vault: a back stack of routes, each a presenter
 * and its view. [locked] is raised by the platform (background timeout,
 * screen off): the stack is dropped and the unlock screen shown.
 */
@Composable
fun HomewardApp(
    vault: VaultPort,
    prefs: AppPrefs,
    /** Used until the officer picks one in Settings (desktop: -Dhomeward.crossing.point); blank: none. */
    crossingPoint: String = "",
    modifier: Modifier = Modifier,
    lockSignal: Int = 0,
    scanner: Scanner? = null,
    brightness: ScreenBrightness = ScreenBrightness.Unchanged,
    camera: PhotoCamera? = null,
    /** A bundle or receipts file from an SD card or USB stick (desktop: a file chooser). */
    pickFile: TextFilePicker? = null,
) {
    var lang by remember { mutableStateOf(prefs.language) }
    // The core words its reasons and refusals (a certificate's) in the app's language.
    LaunchedEffect(lang) { vault.setLanguage(lang) }
    val stack = remember(lockSignal) { mutableStateListOf<Route>(Route.Unlock) }
    fun push(r: Route) = stack.add(r)
    fun pop() { if (stack.size > 1) stack.removeAt(stack.lastIndex) }
    fun post(): String? = (prefs.crossingPoint ?: crossingPoint).takeIf { it.isNotBlank() }
    HomewardTheme(lang) { CompositionLocalProvider(LocalScreenBrightness provides brightness) {
        val s = Strings(lang)
        when (val route = stack.last()) {
            Route.Unlock -> {
                val state = remember { UnlockPresenter(vault, s.pinsDiffer, s.wrongPin) }.present()
                if (state.unlocked) {
                    stack.clear()
                    stack.add(Route.Home)
                }
                UnlockView(state, modifier)
            }
            Route.Home -> key(stack.size) {
                HomeView(remember { HomePresenter(vault) }.present(), { action ->
                    when (action) {
                        // No post picked yet: Settings first, where headquarters' list is.
                        HomeAction.SCREENING -> post()?.let { push(Route.Screening(vault.screenings().start(it, lang))) } ?: push(Route.Settings)
                        HomeAction.VERIFY -> push(Route.Verify)
                        HomeAction.REQUEST -> push(Route.Request)
                        HomeAction.REQUESTS -> push(Route.Requests)
                        HomeAction.SYNC -> push(Route.Sync)
                        HomeAction.FORWARD -> push(Route.Forward)
                        HomeAction.SETTINGS -> push(Route.Settings)
                        HomeAction.ENROL -> push(Route.Enrol)
                        HomeAction.UNLOCK_CODE -> push(Route.UnlockCode)
                        HomeAction.LOCK -> {
                            vault.lock()
                            stack.clear()
                            stack.add(Route.Unlock)
                        }
                    }
                }, modifier, onResume = { id -> push(Route.Screening(vault.screenings().resume(id))) })
            }
            is Route.Screening -> key(route) {
                ScreeningView(remember { ScreeningPresenter(route.session) }.present(), { push(Route.Outcome(route.session)) }, ::pop, modifier)
            }
            is Route.Outcome -> key(route) {
                OutcomeView(remember { OutcomePresenter(route.session) }.present(), ::pop, modifier)
            }
            Route.Verify -> VerifyView(remember { VerifyPresenter(vault.certificates(), post() ?: "") }.present(), ::pop, modifier, scanner)
            Route.Request -> RequestView(remember { RequestPresenter(vault.certificates()) }.present(), ::pop, modifier, camera)
            Route.Requests -> RequestListView(remember { RequestListPresenter(vault.certificates()) }.present(), ::pop, modifier)
            Route.Sync -> SyncView(remember { SyncPresenter(vault.sync()) }.present(), ::pop, modifier)
            Route.Forward -> ForwardView(remember { ForwardPresenter(vault.forward()) }.present(), ::pop, modifier, scanner, pickFile)
            Route.Enrol -> EnrolView(remember { EnrolPresenter(vault.sync()) }.present(), ::pop, modifier)
            Route.UnlockCode -> UnlockCodeView(remember { UnlockCodePresenter(vault.sync(), vault.certificates()) }.present(), ::pop, modifier)
            Route.Settings -> SettingsView(
                remember { SettingsPresenter(vault.settings(), prefs, s.saved, s.pinsDiffer, onLanguage = { lang = it }) }.present(),
                ::pop,
                modifier,
            )
        }
    } }
}
