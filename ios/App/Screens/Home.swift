// Mirrors android/app/shared/.../home/Home.kt.

import SwiftUI

struct HomeState: Equatable, Sendable {
    /// Screenings started and not finalised, newest first: each can be resumed.
    var drafts: [ScreeningSummary]
    var device: DeviceSummary?
    /// Days left before the device must check in with headquarters (nil before enrolment).
    var checkInDaysLeft: Int?
    var error: String?

    /// The core refuses new work until a sync or an unlock code (its rule, not the app's count).
    var checkInOverdue: Bool { device?.checkInLocked == true }
}

enum HomeAction: Sendable {
    case screening, verify, request, requests, sync, forward, settings, enrol, unlockCode, lock
}

@MainActor @Observable
final class HomeViewModel {
    private(set) var state = HomeState(drafts: [], device: nil, checkInDaysLeft: nil, error: nil)

    private let vault: VaultPort
    private let nowMs: @Sendable () -> Int64

    init(vault: VaultPort, nowMs: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.vault = vault
        self.nowMs = nowMs
    }

    /// Kotlin's LaunchedEffect(Unit); the root calls it again each time Home is shown.
    func load() async {
        do {
            state = try await background { [vault, nowMs] in
                let drafts = try vault.screenings().drafts().filter { !$0.isFinal }.sorted { $0.date > $1.date }
                let device = try vault.certificates().device()
                let left = device.checkInDays > 0
                    ? device.lastCheckInUnixMs.map { last in max(0, device.checkInDays - Int((nowMs() - last) / 86_400_000)) }
                    : nil
                return HomeState(drafts: drafts, device: device, checkInDaysLeft: left, error: nil)
            }
        } catch {
            state = HomeState(drafts: [], device: nil, checkInDaysLeft: nil, error: reason(of: error))
        }
    }
}

struct HomeView: View {
    let state: HomeState
    let onAction: (HomeAction) -> Void
    var onResume: (String) -> Void = { _ in }
    @Environment(\.strings) var s

    var body: some View {
        Screen(s.appName) {
            if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
            if !state.drafts.isEmpty {
                Notice("✎", s.drafts(state.drafts.count), Tones.caution, tag: "drafts")
                ForEach(state.drafts.prefix(3), id: \.id) { d in
                    BigButton("\(s.resume): \(d.crossingPoint) · \(d.date)", { onResume(d.id) }, primary: false, tag: "resume-\(d.id)")
                }
            }
            if state.device?.enrolled == false { Notice("ℹ", s.notEnrolled, Tones.caution, tag: "not-enrolled") }
            if state.checkInOverdue {
                Notice("⚠", s.checkInOverdue, Tones.refused, tag: "check-in")
                // The two ways out first; new work would only be refused meanwhile.
                BigButton(s.sync, { onAction(.sync) }, tag: "home-sync")
                BigButton(s.unlockCodeTitle, { onAction(.unlockCode) }, tag: "home-unlock-code")
            } else if let left = state.checkInDaysLeft {
                Notice(left <= 2 ? "⚠" : "ℹ", s.checkInDays(left), left <= 2 ? Tones.refused : Tones.neutral, tag: "check-in")
            }
            BigButton(s.newScreening, { onAction(.screening) }, primary: !state.checkInOverdue, tag: "home-screening")
            // Checking a certificate is never locked (recording the entry is).
            BigButton(s.verifyCertificate, { onAction(.verify) }, tag: "home-verify")
            BigButton(s.newRequest, { onAction(.request) }, primary: false, tag: "home-request")
            BigButton(s.requests, { onAction(.requests) }, primary: false, tag: "home-requests")
            if !state.checkInOverdue { BigButton(s.sync, { onAction(.sync) }, primary: false, tag: "home-sync") }
            if state.device?.enrolled == true { BigButton(s.forward, { onAction(.forward) }, primary: false, tag: "home-forward") }
            if state.device?.enrolled == false { BigButton(s.enrol, { onAction(.enrol) }, primary: false, tag: "home-enrol") }
            BigButton(s.settings, { onAction(.settings) }, primary: false, tag: "home-settings")
            BigButton(s.lock, { onAction(.lock) }, primary: false, tag: "home-lock")
        }
    }
}
