// Blocking core calls never run on the main actor: each goes to a detached
// task (a thread of the cooperative pool), and its result comes back to the
// view model, which is @MainActor. The Kotlin presenters do the same with
// withContext(Dispatchers.IO).

import Foundation

func background<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated) { try work() }.value
}

/// The sentence the officer reads for any failure (a CoreException's reason; anything else, its description).
func reason(of error: Error) -> String {
    (error as? CoreException)?.reason ?? error.localizedDescription
}

/// A task that has already finished: what `send` returns for an event with no core call.
@MainActor
func done() -> Task<Void, Never> { Task {} }
