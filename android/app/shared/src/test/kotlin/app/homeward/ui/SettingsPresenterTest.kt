package app.homeward.ui

import app.homeward.ui.core.Lang
import app.homeward.ui.settings.InMemoryPrefs
import app.homeward.ui.settings.SettingsEvent
import app.homeward.ui.settings.SettingsPresenter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class SettingsPresenterTest {
    @Test
    fun `the crossing point is picked from the core's list, kept, and a screening starts there`() {
        val vault = newVault()
        vault.setLanguage(Lang.EN)
        val prefs = InMemoryPrefs()
        testPresenter({ SettingsPresenter(vault.settings(), prefs, "saved").present() }) {
            val s = awaitUntil("the list") { it.crossingPoints.isNotEmpty() }
            assertNull("none picked on a new device", s.crossingPoint)
            assertTrue(s.crossingPoints.toString(), s.crossingPoints.any { it.id == "OSH-AIRPORT" && it.name.isNotBlank() })
            // An id not on headquarters' list (a stale one) is not kept.
            s.eventSink(SettingsEvent.CrossingPoint("OSH"))
            s.eventSink(SettingsEvent.CrossingPoint("OSH-AIRPORT"))
            val picked = awaitUntil { it.crossingPoint != null }
            assertEquals("OSH-AIRPORT", picked.crossingPoint)
            cancelAndIgnoreRemainingEvents()
        }
        assertEquals("OSH-AIRPORT", prefs.crossingPoint)
        // What the core records is the picked id.
        val session = vault.screenings().start(prefs.crossingPoint!!, Lang.EN)
        assertEquals("OSH-AIRPORT", vault.screenings().drafts().single { it.id == session.id }.crossingPoint)
    }
}
