package app.homeward.ui.settings

import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.CrossingPointItem
import app.homeward.ui.core.Lang
import app.homeward.ui.core.SettingsPort
import app.homeward.ui.design.BigButton
import app.homeward.ui.design.Body
import app.homeward.ui.design.Field
import app.homeward.ui.design.LanguageSwitch
import app.homeward.ui.design.Notice
import app.homeward.ui.design.Screen
import app.homeward.ui.design.SectionTitle
import app.homeward.ui.design.Tones
import app.homeward.ui.design.strings
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext

/** App-side preferences (not secrets): the platform keeps them (SharedPreferences, a file on the desktop). */
interface AppPrefs {
    var language: Lang
    var lockTimeoutMinutes: Int
    /** Where this device screens and records entries, from headquarters' list; null until the officer picks one. */
    var crossingPoint: String?
}

class InMemoryPrefs(
    override var language: Lang = Lang.RU,
    override var lockTimeoutMinutes: Int = 2,
    override var crossingPoint: String? = null,
) : AppPrefs

data class SettingsState(
    val language: Lang,
    /** The post picked (its id), and headquarters' list to pick from. */
    val crossingPoint: String?,
    val crossingPoints: List<CrossingPointItem>,
    val lockTimeoutMinutes: String,
    val retentionDays: String,
    val currentPin: String,
    val duressPin: String,
    /** Change PIN: its own current-PIN field, so the two sections never share a typed PIN. */
    val changeCurrent: String,
    val newPin: String,
    val newPinAgain: String,
    val message: String?,
    val error: String?,
    val eventSink: (SettingsEvent) -> Unit,
)

sealed interface SettingsEvent {
    data class CrossingPoint(val id: String) : SettingsEvent
    data class Language(val language: Lang) : SettingsEvent
    data class LockTimeout(val text: String) : SettingsEvent
    data class Retention(val text: String) : SettingsEvent
    data class CurrentPin(val text: String) : SettingsEvent
    data class DuressPin(val text: String) : SettingsEvent
    data class ChangeCurrent(val text: String) : SettingsEvent
    data class NewPin(val text: String) : SettingsEvent
    data class NewPinAgain(val text: String) : SettingsEvent
    data object ChangePin : SettingsEvent
    data object Save : SettingsEvent
    data object SetDuress : SettingsEvent
}

class SettingsPresenter(
    private val settings: SettingsPort,
    private val prefs: AppPrefs,
    private val savedText: String,
    private val pinsDiffer: String = "The PINs do not match",
    private val onLanguage: (Lang) -> Unit = {},
    private val io: CoroutineContext = Dispatchers.IO,
) {
    @Composable
    fun present(): SettingsState {
        val scope = rememberCoroutineScope()
        var language by remember { mutableStateOf(prefs.language) }
        var crossingPoint by remember { mutableStateOf(prefs.crossingPoint) }
        var crossingPoints by remember { mutableStateOf(emptyList<CrossingPointItem>()) }
        var timeout by remember { mutableStateOf(prefs.lockTimeoutMinutes.toString()) }
        var retention by remember { mutableStateOf("") }
        var current by remember { mutableStateOf("") }
        var duress by remember { mutableStateOf("") }
        var changeCurrent by remember { mutableStateOf("") }
        var newPin by remember { mutableStateOf("") }
        var newPinAgain by remember { mutableStateOf("") }
        var message by remember { mutableStateOf<String?>(null) }
        var error by remember { mutableStateOf<String?>(null) }
        LaunchedEffect(Unit) {
            try { retention = withContext(io) { settings.retentionDays() }.toString() } catch (e: CoreException) { error = e.reason }
        }
        // Named in the vault's language: read again when the officer switches it.
        LaunchedEffect(language) {
            try { crossingPoints = withContext(io) { settings.crossingPoints() } } catch (e: CoreException) { error = e.reason }
        }
        fun run(block: suspend () -> Unit) = scope.launch {
            error = null
            message = null
            try { block(); message = savedText } catch (e: CoreException) { error = e.reason }
        }
        return SettingsState(language, crossingPoint, crossingPoints, timeout, retention, current, duress, changeCurrent, newPin, newPinAgain, message, error) { event ->
            when (event) {
                is SettingsEvent.CrossingPoint -> if (crossingPoints.any { it.id == event.id }) {
                    crossingPoint = event.id
                    prefs.crossingPoint = event.id
                }
                is SettingsEvent.Language -> {
                    language = event.language
                    prefs.language = event.language
                    onLanguage(event.language)
                }
                is SettingsEvent.LockTimeout -> timeout = event.text.filter { it.isDigit() }.take(3)
                is SettingsEvent.Retention -> retention = event.text.filter { it.isDigit() }.take(5)
                is SettingsEvent.CurrentPin -> current = event.text
                is SettingsEvent.DuressPin -> duress = event.text
                is SettingsEvent.ChangeCurrent -> changeCurrent = event.text
                is SettingsEvent.NewPin -> newPin = event.text
                is SettingsEvent.NewPinAgain -> newPinAgain = event.text
                SettingsEvent.ChangePin -> if (newPin != newPinAgain) {
                    message = null
                    error = pinsDiffer
                } else {
                    run {
                        // The typed PINs are cleared whatever the answer: a PIN never stays on screen.
                        try { withContext(io) { settings.changePin(changeCurrent, newPin) } } finally {
                            changeCurrent = ""
                            newPin = ""
                            newPinAgain = ""
                        }
                    }
                }
                SettingsEvent.Save -> run {
                    prefs.lockTimeoutMinutes = timeout.toIntOrNull()?.coerceIn(1, 60) ?: prefs.lockTimeoutMinutes
                    timeout = prefs.lockTimeoutMinutes.toString()
                    retention.toIntOrNull()?.let { withContext(io) { settings.setRetentionDays(it) } }
                }
                SettingsEvent.SetDuress -> run {
                    withContext(io) { settings.setDuress(current, duress) }
                    current = ""
                    duress = ""
                }
            }
        }
    }
}

@Composable
fun SettingsView(state: SettingsState, onBack: () -> Unit, modifier: Modifier = Modifier) {
    val s = strings
    Screen(s.settings, modifier, onBack = onBack, actions = { LanguageSwitch(state.language, { state.eventSink(SettingsEvent.Language(it)) }) }) {
        state.message?.let { Notice("✓", it, Tones.valid, tag = "saved") }
        state.error?.let { Notice("⚠", it, MaterialTheme.colorScheme.error, tag = "error") }
        SectionTitle(s.crossingPointTitle)
        if (state.crossingPoint == null) Notice("⚠", s.chooseCrossingPoint, Tones.caution, tag = "no-crossing-point")
        for (p in state.crossingPoints) {
            val picked = p.id == state.crossingPoint
            // Selection said in words and by the mark, not by colour alone.
            BigButton(
                (if (picked) "✓ " else "") + p.name + " · " + p.region,
                { state.eventSink(SettingsEvent.CrossingPoint(p.id)) },
                primary = picked,
                tag = "cp-${p.id}",
            )
        }
        Field(s.lockTimeout, state.lockTimeoutMinutes, { state.eventSink(SettingsEvent.LockTimeout(it)) }, numeric = true, tag = "lock-timeout")
        Field(s.retention, state.retentionDays, { state.eventSink(SettingsEvent.Retention(it)) }, numeric = true, tag = "retention")
        BigButton(s.save, { state.eventSink(SettingsEvent.Save) }, tag = "save")
        SectionTitle(s.changePinTitle)
        Field(s.currentPin, state.changeCurrent, { state.eventSink(SettingsEvent.ChangeCurrent(it)) }, secret = true, numeric = true, tag = "change-current-pin")
        Field(s.newPin, state.newPin, { state.eventSink(SettingsEvent.NewPin(it)) }, secret = true, numeric = true, tag = "new-pin")
        Field(s.newPinAgain, state.newPinAgain, { state.eventSink(SettingsEvent.NewPinAgain(it)) }, secret = true, numeric = true, tag = "new-pin-again")
        BigButton(
            s.changePin,
            { state.eventSink(SettingsEvent.ChangePin) },
            primary = false,
            enabled = state.changeCurrent.isNotEmpty() && state.newPin.isNotEmpty() && state.newPinAgain.isNotEmpty(),
            tag = "change-pin",
        )
        SectionTitle(s.duress)
        Body(s.duressExplain)
        Field(s.currentPin, state.currentPin, { state.eventSink(SettingsEvent.CurrentPin(it)) }, secret = true, numeric = true, tag = "current-pin")
        Field(s.duress, state.duressPin, { state.eventSink(SettingsEvent.DuressPin(it)) }, secret = true, numeric = true, tag = "duress-pin")
        BigButton(s.setDuress, { state.eventSink(SettingsEvent.SetDuress) }, primary = false, enabled = state.currentPin.isNotEmpty() && state.duressPin.isNotEmpty(), tag = "set-duress")
    }
}
