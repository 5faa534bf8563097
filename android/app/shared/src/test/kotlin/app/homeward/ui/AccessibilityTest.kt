package app.homeward.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.runComposeUiTest
import app.homeward.ui.core.Lang
import app.homeward.ui.design.HomewardTheme
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * From the semantics tree of every screen state, in each language: every
 * control has a label a screen reader says, and is at least 48 x 48 dp.
 */
@OptIn(ExperimentalTestApi::class)
class AccessibilityTest {
    @Test
    fun `every control on every screen is labelled and at least 48 dp`() {
        val problems = mutableListOf<String>()
        var controls = 0
        for (lang in Lang.entries) {
            for ((name, content) in Screens(lang).all) {
                runComposeUiTest {
                    setContent { HomewardTheme(lang) { content() } }
                    for ((label, size) in controls()) {
                        controls++
                        val (w, h) = size
                        if (label.isBlank()) problems += "$name-${lang.code}: a control without a label"
                        // Scrolled-off controls are measured too; a clipped one would read smaller.
                        if (w < 47.5f || h < 47.5f) problems += "$name-${lang.code}: \"$label\" is ${w.toInt()} x ${h.toInt()} dp"
                    }
                }
            }
        }
        assertTrue("only $controls controls seen", controls > 100)
        assertTrue(problems.distinct().joinToString("\n"), problems.isEmpty())
    }

    @Test
    fun `valid and refused say so in words and a symbol, not by colour alone`() {
        for (lang in Lang.entries) {
            val screens = Screens(lang).all
            runComposeUiTest {
                setContent { HomewardTheme(lang) { screens.getValue("verify-valid")() } }
                onNodeWithTag("verdict-valid").assertTextContains("✓", substring = true)
            }
            runComposeUiTest {
                setContent { HomewardTheme(lang) { screens.getValue("verify-refused")() } }
                onNodeWithTag("verdict-refused").assertTextContains("✗", substring = true)
            }
        }
    }
}
