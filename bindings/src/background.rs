//! Blocking calls as futures (`suspend fun` in Kotlin, `async` in Swift):
//! the work runs on a thread of its own and the future completes when it is
//! done. No async runtime is needed on either side; uniffi drives the
//! future from Kotlin coroutines or Swift concurrency.
//!
//! Cancellation: a sync or an enrolment stops at once ([`cancellable`]);
//! any other call is dropped if it has not yet reached the vault (it was
//! waiting behind an unlock or another call), and otherwise runs to its end,
//! so a write is either made whole or not at all ([`abandonable`]).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

thread_local! {
    /// Set on an [`abandonable`] call's thread until the call first reaches
    /// the vault: the flag its caller's cancellation raises.
    static ABANDONED: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// True once per call, at its first entry into the vault, when its caller
/// stopped waiting before that: the call must return without doing anything.
/// Later entries of the same call always go on (the work has begun).
pub(crate) fn abandoned_before_start() -> bool {
    ABANDONED.with(|a| a.borrow_mut().take()).is_some_and(|f| f.load(Ordering::SeqCst))
}

struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
    done: bool,
}

/// Resolves once the background thread has produced its value.
struct Pending<T> {
    slot: Arc<Mutex<Slot<T>>>,
    /// Called when the future is dropped before its value came: a Kotlin
    /// coroutine or a Swift task was cancelled.
    on_cancel: Option<Box<dyn FnOnce() + Send>>,
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        let done = self.slot.lock().unwrap_or_else(|p| p.into_inner()).done;
        if let (false, Some(cancel)) = (done, self.on_cancel.take()) {
            cancel();
        }
    }
}

impl<T> Future for Pending<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut s = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        match s.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                assert!(!s.done, "background call lost its value");
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Runs `f` on a new thread; the returned future yields its result.
pub(crate) fn in_background<T, F>(f: F) -> impl Future<Output = T> + Send
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    spawn(f, None)
}

/// [`in_background`] whose `cancel` runs if the caller stops waiting (the
/// coroutine is cancelled): the way coroutine cancellation reaches
/// `SyncService.cancel()`.
pub(crate) fn cancellable<T, F>(f: F, cancel: impl FnOnce() + Send + 'static) -> impl Future<Output = T> + Send
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    spawn(f, Some(Box::new(cancel)))
}

/// [`in_background`] for calls with no cancel of their own: if the caller
/// stops waiting before the call reached the vault, the call does nothing
/// (`Shared::with` checks [`abandoned_before_start`]).
pub(crate) fn abandonable<T, F>(f: F) -> impl Future<Output = T> + Send
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let flag = Arc::new(AtomicBool::new(false));
    let theirs = flag.clone();
    let run = move || {
        ABANDONED.with(|a| *a.borrow_mut() = Some(theirs));
        let out = f();
        ABANDONED.with(|a| a.borrow_mut().take());
        out
    };
    spawn(run, Some(Box::new(move || flag.store(true, Ordering::SeqCst))))
}

/// Declares `suspend` / `async` versions of blocking methods: each
/// `name_async` runs `name` through [`abandonable`], with the doc comment
/// given. One declaration per method keeps the blocking method the only
/// place its work is written.
macro_rules! suspend_versions {
    ($ty:ident { $( $(#[doc = $doc:literal])* fn $async_name:ident = $name:ident ( $($arg:ident : $argty:ty),* $(,)? ) -> $ret:ty; )* }) => {
        #[uniffi::export]
        impl $ty {
            $(
                $(#[doc = $doc])*
                pub async fn $async_name(self: std::sync::Arc<Self>, $($arg: $argty),*) -> $ret {
                    $crate::background::abandonable(move || self.$name($($arg),*)).await
                }
            )*
        }
    };
}
pub(crate) use suspend_versions;

fn spawn<T, F>(f: F, on_cancel: Option<Box<dyn FnOnce() + Send>>) -> Pending<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let slot = Arc::new(Mutex::new(Slot { value: None, waker: None, done: false }));
    let theirs = slot.clone();
    std::thread::spawn(move || {
        let v = f();
        let waker = {
            let mut s = theirs.lock().unwrap_or_else(|p| p.into_inner());
            s.value = Some(v);
            s.done = true;
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    });
    Pending { slot, on_cancel }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = Box::pin(f);
        let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    }

    #[test]
    fn dropping_the_future_early_cancels_and_a_finished_one_does_not() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let cancelled = Arc::new(AtomicBool::new(false));
        let (c, release) = (cancelled.clone(), Arc::new(AtomicBool::new(false)));
        let r = release.clone();
        let f = cancellable(
            move || {
                while !r.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            },
            move || c.store(true, Ordering::SeqCst),
        );
        drop(f);
        assert!(cancelled.load(Ordering::SeqCst), "the caller stopped waiting: cancel ran");
        release.store(true, Ordering::SeqCst);

        let never = Arc::new(AtomicBool::new(false));
        let n = never.clone();
        block_on(cancellable(|| 1, move || n.store(true, Ordering::SeqCst)));
        assert!(!never.load(Ordering::SeqCst), "a finished call is not cancelled");
    }

    #[test]
    fn an_abandoned_call_is_told_once_at_its_first_entry() {
        let gate = Arc::new(AtomicBool::new(false));
        let g = gate.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let f = abandonable(move || {
            while !g.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            let first = abandoned_before_start();
            tx.send((first, abandoned_before_start())).unwrap();
        });
        drop(f);
        gate.store(true, Ordering::SeqCst);
        assert_eq!(rx.recv().unwrap(), (true, false), "abandoned at the first entry, never later");

        let kept = block_on(abandonable(abandoned_before_start));
        assert!(!kept, "a call still awaited is not abandoned");
        assert!(!abandoned_before_start(), "outside an abandonable call nothing is abandoned");
    }

    #[test]
    fn the_future_yields_the_threads_result() {
        let main = std::thread::current().id();
        let (v, worker) = block_on(in_background(move || (21 * 2, std::thread::current().id())));
        assert_eq!(v, 42);
        assert_ne!(worker, main, "the work ran on another thread");
    }
}
