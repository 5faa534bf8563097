package app.homeward.ui

import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import app.homeward.ui.checkin.UnlockCodePresenter
import app.homeward.ui.checkin.UnlockCodeView
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import app.homeward.ui.core.Lang
import app.homeward.ui.core.LocalScreenBrightness
import app.homeward.ui.core.ScreenBrightness
import app.homeward.ui.request.CertificateView
import app.homeward.ui.design.HomewardTheme
import app.homeward.ui.core.Partner
import app.homeward.ui.request.RequestPresenter
import app.homeward.ui.request.RequestView
import app.homeward.ui.screening.OutcomeSamples
import app.homeward.ui.screening.OutcomeView
import app.homeward.ui.screening.ScreeningPresenter
import app.homeward.ui.screening.ScreeningView
import app.homeward.ui.unlock.UnlockPresenter
import app.homeward.ui.unlock.UnlockView
import app.homeward.ui.verify.VerifyPresenter
import app.homeward.ui.verify.VerifyView
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/** The screens as a user drives them: find, type, click, and what is shown, over the real core. */
@OptIn(ExperimentalTestApi::class)
class SemanticsTest {
    @Test
    fun `unlock - a wrong PIN disables the button and says how many tries are left`() = runComposeUiTest {
        val vault = newVault(lightSettings(maxAttempts = 5, unlockDelayMs = 1000L))
        vault.lock()
        setContent { HomewardTheme(Lang.EN) { UnlockView(UnlockPresenter(vault, "differ").present()) } }
        onNodeWithTag("pin").performTextInput("not my pin at all")
        onNodeWithTag("submit").performClick()
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("error") }
        onNodeWithTag("attempts").assertTextContains("Attempts left: 4", substring = true)
        onNodeWithTag("countdown").assertIsDisplayed()
        onNodeWithTag("submit").assertIsNotEnabled()
        onNodeWithTag("pin").performTextInput(LONG_PIN)
        // The core's delay passes in real time; the screen's countdown runs on the frame clock.
        Thread.sleep(1_200)
        mainClock.advanceTimeBy(3_000)
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("countdown").not() }
        onNodeWithTag("submit").performClick()
        waitUntil(timeoutMillis = 20_000) { vault.status().unlocked }
    }

    @Test
    fun `unlock code - typed as read out, a wrong code is said under the field and the field cleared`() = runComposeUiTest {
        val vault = newVault()
        setContent { HomewardTheme(Lang.EN) { UnlockCodeView(UnlockCodePresenter(vault.sync(), vault.certificates()).present(), {}) } }
        onNodeWithTag("submit").assertIsNotEnabled()
        // Lower case with the dash, as heard over a bad line: the screen keeps letters and digits, upper case.
        onNodeWithTag("unlock-code").performTextInput("k7mpq-2xw9")
        onNodeWithTag("submit").assertIsNotEnabled()
        onNodeWithTag("unlock-code").performTextInput("a")
        val typed = { onNodeWithTag("unlock-code").fetchSemanticsNode().config.getOrNull(SemanticsProperties.EditableText)?.text ?: "" }
        waitUntil(timeoutMillis = 20_000) { typed() == "K7MPQ2XW9A" }
        onNodeWithTag("submit").performClick()
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("unlock-code-error") }
        onNodeWithTag("unlock-code-error").assertTextContains("code", substring = true)
        assertEquals("the refused code is not left on screen", "", typed())
        onNodeWithTag("submit").assertIsNotEnabled()
        assertTrue("nothing was unlocked", !onAllNodesWithTagExists("unlocked"))
    }

    @Test
    fun `certificate - the QR code is shown at full brightness and the officer's setting comes back after`() = runComposeUiTest {
        val calls = mutableListOf<Boolean>()
        var shown by mutableStateOf(true)
        setContent {
            CompositionLocalProvider(LocalScreenBrightness provides ScreenBrightness { calls += it }) {
                HomewardTheme(Lang.EN) { if (shown) CertificateView(Screens.sampleCertificate, {}) }
            }
        }
        onNodeWithTag("qr").assertIsDisplayed()
        assertEquals(listOf(true), calls)
        shown = false
        waitForIdle()
        assertEquals("back to the officer's brightness once the code is gone", listOf(true, false), calls)
    }

    @Test
    fun `screening - big buttons answer, back returns, the language button switches the question`() = runComposeUiTest {
        val session = newVault().screenings().start("OSH-AIRPORT", Lang.EN)
        setContent { ScreeningView(ScreeningPresenter(session).present(), {}, {}) }
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("question") }
        val first = text("question")
        // The first question of the default checklist is a yes/no one ("appears minor").
        onNodeWithTag("no").performClick()
        waitUntil(timeoutMillis = 20_000) { text("question") != first }
        val second = text("question")
        onNodeWithTag("lang-ru").performClick()
        waitUntil(timeoutMillis = 20_000) { text("question") != second }
        assertEquals(Lang.RU, session.language())
        onNodeWithTag("back").performClick()
        waitUntil(timeoutMillis = 20_000) { text("question") != second && text("question") != first }
        assertNotEquals("the first question again, in Russian now", first, text("question"))
        onNodeWithTag("position").assertTextContains("1", substring = true)
    }

    @Test
    fun `request form - the core's message appears under the surname and goes when it is typed`() = runComposeUiTest {
        val certs = newVault().certificates()
        setContent { HomewardTheme(Lang.EN) { RequestView(RequestPresenter(certs).present(), {}) } }
        onNodeWithTag("submit").performScrollTo().performClick()
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("applicant.surname-error") }
        onNodeWithTag("applicant.surname-error").performScrollTo().assertTextContains("surname", substring = true)
        onNodeWithTag("error-count").performScrollTo().assertIsDisplayed()
        onNodeWithTag("applicant.surname").performScrollTo().performTextInput("Sadykov")
        waitUntil(timeoutMillis = 20_000) { !onAllNodesWithTagExists("applicant.surname-error") }
    }

    @Test
    fun `unlock - an unlock cut off by a power loss is said plainly, in the screen's language`() = runComposeUiTest {
        setContent { HomewardTheme(Lang.RU) { UnlockView(app.homeward.ui.unlock.UnlockSamples.interrupted) } }
        val said = onNodeWithTag("interrupted").fetchSemanticsNode().config.getOrNull(SemanticsProperties.Text)?.joinToString(" ") { it.text } ?: ""
        assertTrue(said, said.contains("прервалась") && said.contains("засчитана"))
        onNodeWithTag("attempts").assertIsDisplayed()
    }

    @Test
    fun `outcome - the partners the actions point to are listed with how to reach them`() = runComposeUiTest {
        val centre = Partner("minors-centre-osh", "Rehabilitation centre for minors, Osh", "+996 3222 00003", "24/7", true)
        val hotline = Partner("hotline", "National hotline", "0 800 0000 189", "", true)
        val state = OutcomeSamples.presumedVictim(Lang.EN).copy(partners = listOf(centre, hotline))
        setContent { HomewardTheme(Lang.EN) { OutcomeView(state, {}) } }
        onNodeWithTag("partner-minors-centre-osh").performScrollTo().assertIsDisplayed()
        val merged = { tag: String ->
            onNodeWithTag(tag).fetchSemanticsNode().config.getOrNull(SemanticsProperties.Text)?.joinToString(" ") { it.text } ?: ""
        }
        assertEquals("Rehabilitation centre for minors, Osh +996 3222 00003 · 24/7", merged("partner-minors-centre-osh"))
        // No opening hours published: the phone alone, no dangling separator.
        assertEquals("National hotline 0 800 0000 189", merged("partner-hotline"))
    }

    @Test
    fun `verify - a code typed by hand that is not a certificate is refused in words`() = runComposeUiTest {
        val certs = newVault().certificates()
        setContent { HomewardTheme(Lang.EN) { VerifyView(VerifyPresenter(certs, "MANAS").present(), {}) } }
        onNodeWithTag("manual").performTextInput("hello")
        onNodeWithTag("check").performClick()
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("verdict-refused") }
        onNodeWithTag("verdict-refused").assertTextContains("REFUSED", substring = true)
        assertTrue(text("explanation").isNotBlank())
        onNodeWithTag("reset").performClick()
        waitUntil(timeoutMillis = 20_000) { onAllNodesWithTagExists("manual") }
    }
}

@OptIn(ExperimentalTestApi::class)
private fun androidx.compose.ui.test.ComposeUiTest.onAllNodesWithTagExists(tag: String): Boolean =
    onAllNodes(SemanticsMatcher.expectValue(SemanticsProperties.TestTag, tag), useUnmergedTree = true).fetchSemanticsNodes().isNotEmpty()

@OptIn(ExperimentalTestApi::class)
private fun androidx.compose.ui.test.ComposeUiTest.text(tag: String): String =
    onNodeWithTag(tag, useUnmergedTree = true).fetchSemanticsNode().config.getOrNull(SemanticsProperties.Text)
        ?.joinToString(" ") { it.text } ?: ""

/** Everything a finger can press, with its label and its size in dp. */
@OptIn(ExperimentalTestApi::class)
fun androidx.compose.ui.test.ComposeUiTest.controls(): List<Pair<String, Pair<Float, Float>>> {
    val d = density.density
    return onAllNodes(hasClickAction()).fetchSemanticsNodes().map { n -> label(n) to (n.size.width / d to n.size.height / d) }
}

fun label(n: SemanticsNode): String {
    val c = n.config
    val parts = listOfNotNull(
        c.getOrNull(SemanticsProperties.ContentDescription)?.joinToString(" "),
        c.getOrNull(SemanticsProperties.Text)?.joinToString(" ") { it.text },
        c.getOrNull(SemanticsProperties.EditableText)?.text?.takeIf { false },
        c.getOrNull(SemanticsActions.OnClick)?.label,
    )
    return parts.joinToString(" ").trim()
}
