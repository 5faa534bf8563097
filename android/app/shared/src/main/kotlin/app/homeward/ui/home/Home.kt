package app.homeward.ui.home

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.DeviceSummary
import app.homeward.ui.core.ScreeningSummary
import app.homeward.ui.core.VaultPort
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

data class HomeState(
    /** Screenings started and not finalised, newest first: each can be resumed. */
    val drafts: List<ScreeningSummary>,
    val device: DeviceSummary?,
    /** Days left before the device must check in with headquarters (null before enrolment, or with no limit). */
    val checkInDaysLeft: Int?,
    val error: String?,
) {
    /** The core refuses new work until a sync or an unlock code (its rule, not the app's count). */
    val checkInOverdue: Boolean get() = device?.checkInLocked == true
}

enum class HomeAction { SCREENING, VERIFY, REQUEST, REQUESTS, SYNC, FORWARD, SETTINGS, ENROL, UNLOCK_CODE, LOCK }

class HomePresenter(
    private val vault: VaultPort,
    private val nowMs: () -> Long = System::currentTimeMillis,
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): HomeState {
        var state by remember { mutableStateOf(HomeState(emptyList(), null, null, null)) }
        LaunchedEffect(Unit) {
            state = try {
                withContext(io) {
                    val drafts = vault.screenings().drafts().filter { !it.isFinal }.sortedByDescending { it.date }
                    val device = vault.certificates().device()
                    val left = device.lastCheckInUnixMs?.takeIf { device.checkInDays > 0 }?.let { last ->
                        maxOf(0, device.checkInDays - ((nowMs() - last) / 86_400_000L).toInt())
                    }
                    HomeState(drafts, device, left, null)
                }
            } catch (e: CoreException) {
                HomeState(emptyList(), null, null, e.reason)
            }
        }
        return state
    }
}

@Composable
fun HomeView(state: HomeState, onAction: (HomeAction) -> Unit, modifier: Modifier = Modifier, onResume: (String) -> Unit = {}) {
    val s = strings
    Screen(s.appName, modifier) {
        state.error?.let { Notice("⚠", it, Tones.refused, tag = "error") }
        if (state.drafts.isNotEmpty()) {
            Notice("✎", s.drafts(state.drafts.size), Tones.caution, tag = "drafts")
            state.drafts.take(3).forEach { d ->
                BigButton("${s.resume}: ${d.crossingPoint} · ${d.date}", { onResume(d.id) }, primary = false, tag = "resume-${d.id}")
            }
        }
        if (state.device?.enrolled == false) Notice("ℹ", s.notEnrolled, Tones.caution, tag = "not-enrolled")
        if (state.checkInOverdue) {
            Notice("⚠", s.checkInOverdue, Tones.refused, tag = "check-in")
            // The two ways out first; new work would only be refused meanwhile.
            BigButton(s.sync, { onAction(HomeAction.SYNC) }, tag = "home-sync")
            BigButton(s.unlockCodeTitle, { onAction(HomeAction.UNLOCK_CODE) }, tag = "home-unlock-code")
        } else {
            state.checkInDaysLeft?.let { Notice(if (it <= 2) "⚠" else "ℹ", s.checkInDays(it), if (it <= 2) Tones.refused else Tones.neutral, tag = "check-in") }
        }
        val open = !state.checkInOverdue
        BigButton(s.newScreening, { onAction(HomeAction.SCREENING) }, primary = open, tag = "home-screening")
        // Checking a certificate is never locked (recording the entry is).
        BigButton(s.verifyCertificate, { onAction(HomeAction.VERIFY) }, tag = "home-verify")
        BigButton(s.newRequest, { onAction(HomeAction.REQUEST) }, primary = false, tag = "home-request")
        BigButton(s.requests, { onAction(HomeAction.REQUESTS) }, primary = false, tag = "home-requests")
        if (open) BigButton(s.sync, { onAction(HomeAction.SYNC) }, primary = false, tag = "home-sync")
        if (state.device?.enrolled == true) BigButton(s.forward, { onAction(HomeAction.FORWARD) }, primary = false, tag = "home-forward")
        if (state.device?.enrolled == false) BigButton(s.enrol, { onAction(HomeAction.ENROL) }, primary = false, tag = "home-enrol")
        BigButton(s.settings, { onAction(HomeAction.SETTINGS) }, primary = false, tag = "home-settings")
        BigButton(s.lock, { onAction(HomeAction.LOCK) }, primary = false, tag = "home-lock")
    }
}
