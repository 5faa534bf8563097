package app.homeward.ffi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Enrolment and sync over TLS with headquarters' own authority pinned. */
class TlsTest {
    @Test
    fun `a device pins headquarters' authority and trusts nothing else`() {
        Headquarters(tls = true).use { hq ->
            assertTrue(hq.url.startsWith("https://"))
            val ca = hq.caPem!!
            newVault().use { v ->
                val e = v.syncService().enroll(hq.url, hq.enrollmentCode("IST", "consular_officer"), "jvm-tls", ca)
                assertEquals("IST", e.office)
                val report = v.syncService().sync(null)
                assertTrue(report.progress.bytesReceived > 0L)
                assertTrue(!report.rollbackDetected)
                assertTrue(v.certificates().deviceInfo().tlsPinned)
            }
            // Over https a pin is required (public authorities are an explicit
            // choice); another authority's pin is not trusted: typed errors,
            // and nothing was sent (the code stays valid).
            val code = hq.enrollmentCode("IST", "consular_officer")
            newVault().use { v ->
                val noPin = assertThrows<HomewardException.InvalidInput> { v.syncService().enroll(hq.url, code, "x", null) }
                assertTrue(noPin.reason.contains("pin"), noPin.reason)
                Headquarters(tls = true).use { other ->
                    val e = assertThrows<HomewardException.Untrusted> {
                        v.syncService().enroll(hq.url, code, "x", other.caPem!!)
                    }
                    assertTrue(e.reason.contains("nothing was sent"), e.reason)
                }
                v.syncService().enroll(hq.url, code, "x", ca)
            }
            // A pin that is no certificate, and plain http beyond this machine.
            newVault().use { v ->
                assertThrows<HomewardException.InvalidInput> { v.syncService().enroll(hq.url, "X", "x", "not a pem") }
                val insecure = assertThrows<HomewardException.InvalidInput> {
                    v.syncService().enroll("http://hq.example.org:8480", "X", "x", null)
                }
                assertTrue(insecure.reason.contains("https"), insecure.reason)
            }
        }
    }
}
