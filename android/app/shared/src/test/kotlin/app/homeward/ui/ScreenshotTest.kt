package app.homeward.ui

import app.homeward.ui.core.Lang
import org.junit.Assert.assertTrue
import org.junit.Test

/** Every screen's key states in ky, ru and en at phone size, against the committed goldens. */
class ScreenshotTest {
    @Test
    fun `every screen in Kyrgyz, Russian and English matches its golden image`() {
        val problems = mutableListOf<String>()
        var count = 0
        for (lang in Lang.entries) {
            for ((name, content) in Screens(lang).all) {
                val image = render(lang, content = content)
                Goldens.check("$name-${lang.code}", image.png())?.let { problems += it }
                count++
            }
        }
        assertTrue("only $count screens", count >= 60)
        assertTrue(problems.joinToString("\n"), problems.isEmpty())
    }

    @Test
    fun `renders are the same from run to run`() {
        val screens = Screens(Lang.KY).all
        val first = render(Lang.KY, content = screens.getValue("screening-yes-no")).png()
        val second = render(Lang.KY, content = screens.getValue("screening-yes-no")).png()
        assertTrue(first.contentEquals(second))
    }
}
