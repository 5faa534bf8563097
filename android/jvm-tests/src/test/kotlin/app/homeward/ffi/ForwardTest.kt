package app.homeward.ffi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Store and forward through the generated Kotlin, against a real
 * `homeward-hq`: a post without a link seals its screenings into a bundle;
 * a supervisor's phone of the same office reads its QR frames (a quarter
 * missed, in reverse order) and passes it on to the office PC; both forward
 * it at their sync; headquarters takes it once; the receipt goes back as a file and the post sends nothing twice.
 * Altered, truncated, replayed, other-office and mixed-frame inputs are
 * refused with their code.
 */
class ForwardTest {
    private fun screen(vault: HomewardVault, n: Int) {
        repeat(n) {
            val s = vault.startScreening(NewScreeningInput("OSH-AIRPORT", language = Language.EN))
            s.answer("date_of_birth", AnswerInput.Date("1990-04-02"))
            s.answer("documents", AnswerInput.Choice("own"))
            while (true) {
                val q = s.nextQuestion() ?: break
                if (q.kind is AnswerKind.YesNo) s.answerText(q.id, "n") else s.skip(q.id)
            }
            s.setSubject(SubjectInput(refused = true))
            s.finalise()
        }
    }

    /** Screenings headquarters holds, from `homeward-hq screenings` (office, verdict, count per line). */
    private fun heldAt(hq: Headquarters): Int =
        hq.admin("screenings").lines().filter { it.isNotBlank() && !it.startsWith("no ") }
            .sumOf { it.trim().split(Regex("\\s+")).last().toInt() }

    private fun refusedCode(block: () -> Unit): String = assertThrows<HomewardException.BundleRefused> { block() }.code

    @Test
    fun `a bundle read from QR frames is forwarded once and its receipt comes back by file`() {
        Headquarters().use { hq ->
            newVault().use { post ->
                newVault().use { supervisor ->
                    newVault().use { consulate ->
                        post.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "border_guard"), "post", null)
                        supervisor.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "border_guard"), "sup", null)
                        consulate.syncService().enroll(hq.url, hq.enrollmentCode("IST", "consular_officer"), "ist", null)

                        // At the post, offline: three screenings sealed into one bundle.
                        screen(post, 3)
                        val out = post.forwardService()
                        assertEquals(3, out.waiting())
                        val bundle = out.exportBundle(50)
                        assertEquals(3, bundle.events)
                        assertTrue(bundle.frames.size > bundle.framesNeeded.toInt(), "repair frames beyond the needed")
                        assertTrue(bundle.fileJson.startsWith("{\n  \"classification\": \"FOR OFFICIAL USE ONLY\""))
                        assertFalse(bundle.fileJson.contains("OSH-AIRPORT"), "sealed: no report in clear")
                        assertEquals(1, out.waitingForReceipt())

                        // The supervisor's camera: every fourth frame missed, the rest backwards.
                        val carrier = supervisor.forwardService()
                        val reader = FrameReader()
                        var progress: FrameProgress? = null
                        for ((i, f) in bundle.frames.withIndex().reversed()) {
                            if (i % 4 == 3) continue
                            progress = reader.push(f)
                            if (progress.complete) break
                        }
                        assertTrue(progress!!.complete, "complete with ${progress.received} of ${bundle.frames.size}")
                        val taken = carrier.importFrames(reader)
                        assertTrue(taken is ForwardImport.Bundle, "$taken")
                        taken as ForwardImport.Bundle
                        assertEquals(bundle.bundleId, taken.bundleId)
                        assertEquals(3, taken.events)
                        assertEquals(CarriedBundleState.PENDING, carrier.carried().single().state)

                        // A second hop: the supervisor passes it on to the office PC.
                        newVault().use { officePc ->
                            officePc.syncService().enroll(hq.url, hq.enrollmentCode("OSH", "border_guard"), "pc", null)
                            val relayed = carrier.passOn(bundle.bundleId, 50)
                            assertEquals(bundle.bundleId, relayed.bundleId)
                            val atPc = officePc.forwardService().importFile(relayed.fileJson)
                            assertTrue(atPc is ForwardImport.Bundle, "$atPc")
                            assertEquals("not_carried", refusedCode { carrier.passOn("fwd-none", 50) })
                            // The office PC reaches headquarters first; the supervisor's copy later changes nothing.
                            assertEquals(1L, officePc.syncService().sync(null).forwarded)
                            assertEquals(3, heldAt(hq))
                        }

                        // Refusals, each with its code; nothing kept.
                        assertEquals("replayed", refusedCode { carrier.importFile(bundle.fileJson) })
                        assertEquals("altered", refusedCode {
                            carrier.importFile(bundle.fileJson.replace("\"events\": 3", "\"events\": 2"))
                        })
                        assertEquals("malformed", refusedCode {
                            carrier.importFile(bundle.fileJson.substring(0, bundle.fileJson.length / 2))
                        })
                        assertEquals("other_office", refusedCode { consulate.forwardService().importFile(bundle.fileJson) })
                        assertEquals("own_bundle", refusedCode { out.importFile(bundle.fileJson) })
                        assertEquals("incomplete", refusedCode { carrier.importFrames(FrameReader()) })

                        // Frames of two bundles mixed: a clear refusal, the first bundle's frames kept.
                        screen(supervisor, 1)
                        val other = carrier.exportBundle(50)
                        val mixed = FrameReader()
                        mixed.push(bundle.frames[0])
                        assertEquals("mixed_bundles", refusedCode { mixed.push(other.frames[0]) })
                        assertEquals(2, mixed.push(bundle.frames[1]).received)
                        assertEquals(1, carrier.carried().size)

                        // The supervisor reaches headquarters: the post's three again (the
                        // same receipt, nothing stored twice), and its own one.
                        val report = supervisor.syncService().sync(null)
                        assertEquals(1L, report.forwarded)
                        assertTrue(report.forwardRefused.isEmpty())
                        assertEquals(4, heldAt(hq))
                        assertEquals(CarriedBundleState.DELIVERED, carrier.carried().single().state)

                        // The receipt goes back by file: the post's outbox empties offline.
                        val back = out.importFile(carrier.receiptsFile())
                        assertTrue(back is ForwardImport.Receipts, "$back")
                        back as ForwardImport.Receipts
                        assertEquals(1, back.applied)
                        assertEquals(3L, back.accepted)
                        assertEquals(0, out.waiting())
                        assertEquals(0, out.waitingForReceipt())
                        assertEquals("empty", refusedCode { out.exportBundle(50) })

                        // Its next real sync sends nothing again.
                        val later = post.syncService().sync(null)
                        assertEquals(0L, later.accepted)
                        assertEquals(4, heldAt(hq))
                    }
                }
            }
        }
    }
}
