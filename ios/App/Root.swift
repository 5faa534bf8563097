// Mirrors android/app/shared/.../App.kt: the whole app over one vault, a
// back stack of routes, each a view model and its view. `lockSignal` is
// raised by the platform (HomewardApp.swift: background timeout): the stack
// is dropped and the unlock screen shown.

import SwiftUI

/// Where the officer is; each route holds its screen's view model, so going
/// back finds the screen as it was (Kotlin's remember per route).
enum Route {
    case unlock(UnlockViewModel)
    case home(HomeViewModel)
    case screening(ScreeningViewModel)
    case outcome(OutcomeViewModel)
    case verify(VerifyViewModel)
    case request(RequestViewModel)
    case requests(RequestListViewModel)
    case sync(SyncViewModel)
    case forward(ForwardViewModel)
    case settings(SettingsViewModel)
    case enrol(EnrolViewModel)
    case unlockCode(UnlockCodeViewModel)
}

@MainActor
struct RootView: View {
    let vault: VaultPort
    let prefs: AppPrefs
    /// Used until the officer picks one in Settings; blank: none.
    let crossingPoint: String
    var scanner: Scanner?

    @State private var lang: Lang
    @State private var stack: [Route] = []
    /// A failure opening a screen (the core's reason), shown over the current one.
    @State private var failure: String?

    init(vault: VaultPort, prefs: AppPrefs, crossingPoint: String = "", scanner: Scanner? = nil) {
        self.vault = vault
        self.prefs = prefs
        self.crossingPoint = crossingPoint
        self.scanner = scanner
        _lang = State(initialValue: prefs.language)
        // The core words its reasons and refusals (a certificate's) in the app's language.
        vault.setLanguage(prefs.language)
    }

    private var s: Strings { Strings(lang) }

    private func push(_ r: Route) { stack.append(r) }
    private func pop() { if stack.count > 1 { stack.removeLast() } }
    private func post() -> String? {
        let p = prefs.crossingPoint ?? crossingPoint
        return p.trimmingCharacters(in: .whitespaces).isEmpty ? nil : p
    }

    /// Opens a screen whose port needs the vault (a blocking open): off the main actor.
    private func openSession(_ make: @escaping @Sendable (VaultPort) throws -> ScreeningSessionPort, _ route: @escaping @MainActor (ScreeningSessionPort) -> Route) {
        Task {
            do {
                let session = try await background { [vault] in try make(vault) }
                push(route(session))
            } catch {
                failure = reason(of: error)
            }
        }
    }

    private func ports<T>(_ get: (VaultPort) throws -> T) -> T? {
        do { return try get(vault) } catch {
            failure = reason(of: error)
            return nil
        }
    }

    private func onHome(_ action: HomeAction) {
        switch action {
        case .screening:
            // No post picked yet: Settings first, where headquarters' list is.
            guard let cp = post() else {
                onHome(.settings)
                return
            }
            let l = lang
            openSession({ try $0.screenings().start(crossingPoint: cp, language: l, screeningDate: nil) }) { .screening(ScreeningViewModel(session: $0)) }
        case .verify:
            if let c = ports({ try $0.certificates() }) { push(.verify(VerifyViewModel(certificates: c, crossingPoint: post() ?? ""))) }
        case .request:
            if let c = ports({ try $0.certificates() }) { push(.request(RequestViewModel(certificates: c))) }
        case .requests:
            if let c = ports({ try $0.certificates() }) { push(.requests(RequestListViewModel(certificates: c))) }
        case .sync:
            if let p = ports({ try $0.sync() }) { push(.sync(SyncViewModel(sync: p))) }
        case .forward:
            if let p = ports({ try $0.forward() }) { push(.forward(ForwardViewModel(forward: p))) }
        case .settings:
            if let p = ports({ try $0.settings() }) {
                push(.settings(SettingsViewModel(settings: p, prefs: prefs, savedText: s.saved, pinsDiffer: s.pinsDiffer, onLanguage: { lang = $0; vault.setLanguage($0) })))
            }
        case .enrol:
            if let p = ports({ try $0.sync() }) { push(.enrol(EnrolViewModel(sync: p))) }
        case .unlockCode:
            if let p = ports({ try $0.sync() }), let c = ports({ try $0.certificates() }) {
                push(.unlockCode(UnlockCodeViewModel(sync: p, certificates: c)))
            }
        case .lock:
            try? vault.lock()
            stack = [.unlock(UnlockViewModel(vault: vault, pinsDiffer: s.pinsDiffer, wrongPin: s.wrongPin))]
        }
    }

    var body: some View {
        NavigationStack {
            Group {
                switch stack.last {
                case nil:
                    Color.clear.onAppear {
                        stack = [.unlock(UnlockViewModel(vault: vault, pinsDiffer: s.pinsDiffer, wrongPin: s.wrongPin))]
                    }
                case let .unlock(vm)?:
                    UnlockView(state: vm.state, send: { vm.send($0) })
                        .task { await vm.load() }
                        .onChange(of: vm.state.unlocked) { _, unlocked in
                            if unlocked { stack = [.home(HomeViewModel(vault: vault))] }
                        }
                case let .home(vm)?:
                    HomeView(state: vm.state, onAction: { onHome($0) }, onResume: { id in
                        openSession({ try $0.screenings().resume(id: id) }) { .screening(ScreeningViewModel(session: $0)) }
                    })
                    // Each time Home shows again (Kotlin's key(stack.size)): drafts and check-in fresh.
                    .task(id: stack.count) { await vm.load() }
                case let .screening(vm)?:
                    ScreeningView(state: vm.state, send: { vm.send($0) },
                                  onOutcome: { push(.outcome(OutcomeViewModel(session: vm.session))) }, onClose: { pop() })
                        .task { if vm.state.phase == .loading { await vm.load() } }
                case let .outcome(vm)?:
                    OutcomeView(state: vm.state, send: { vm.send($0) }, onDone: { pop() }).task { await vm.load() }
                case let .verify(vm)?:
                    VerifyView(state: vm.state, send: { vm.send($0) }, onBack: { pop() }, scanner: scanner)
                case let .request(vm)?:
                    RequestView(state: vm.state, send: { vm.send($0) }, onBack: { pop() })
                case let .requests(vm)?:
                    RequestListView(state: vm.state, send: { vm.send($0) }, onBack: { pop() }).task { await vm.load() }
                case let .sync(vm)?:
                    SyncView(state: vm.state, send: { vm.send($0) }, onBack: { pop() }).task { await vm.loadRestoreReport() }
                case let .forward(vm)?:
                    // No document picker yet on iOS: frames by camera only (docs/ARCHITECTURE.md, "The app (iOS)").
                    ForwardView(state: vm.state, send: { vm.send($0) }, onBack: { pop() }, scanner: scanner).task { await vm.load() }
                case let .enrol(vm)?:
                    EnrolView(state: vm.state, send: { vm.send($0) }, onBack: { pop() })
                case let .unlockCode(vm)?:
                    UnlockCodeView(state: vm.state, send: { vm.send($0) }, onBack: { pop() }).task { await vm.load() }
                case let .settings(vm)?:
                    SettingsView(state: vm.state, send: { vm.send($0) }, onBack: { pop() }).task { await vm.load() }
                }
            }
        }
        .environment(\.strings, s)
        .environment(\.locale, Locale(identifier: lang.code))
        .alert(s.appName, isPresented: Binding(get: { failure != nil }, set: { if !$0 { failure = nil } })) {
            Button("OK") { failure = nil }
        } message: {
            Text(failure ?? "")
        }
    }
}
