//! The demo's story: weeks of history made through the simulated phones at
//! start (requests, decisions, certificates, entries, screenings), then a
//! live loop in which the phones sync every few seconds, so that a decision
//! taken in the console reaches the consulate, the certificate is issued and
//! the traveller is checked at the border while the newcomer watches.

use std::path::Path;

use homeward_core::certificate::CertificateEvent;
use homeward_core::events::Role;
use homeward_hq::hq::{now_ms, Hq};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::fleet::{DemoResult, Phone};
use crate::people::{self, BORDER_POSTS, CONSULATES};

const DAY_MS: i64 = 86_400_000;

/// Who took headquarters' decisions in the history: the demo reviewer, as
/// the console names its staff in the audit trail.
pub const HISTORY_REVIEWER: &str = "console:reviewer";

/// How much history to make.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub requests: usize,
    pub screenings: usize,
    pub days: i64,
}

/// What the history holds, for the summary the demo prints.
#[derive(Debug, Default)]
pub struct Summary {
    pub requests: usize,
    pub waiting: usize,
    pub issued: usize,
    pub entered: usize,
    pub screenings: usize,
}

/// A certificate on its way home: the traveller reaches the border some
/// ticks after it was issued.
struct Traveller {
    barcode: String,
    border: usize,
    due_tick: u64,
}

pub struct Demo {
    pub consulates: Vec<Phone>,
    pub borders: Vec<Phone>,
    rng: ChaCha8Rng,
    travelling: Vec<Traveller>,
    ticks: u64,
}

impl Demo {
    /// Enrols one phone per consulate and per border post.
    pub fn enrol(hq: &Hq, url: &str, ca_pem: &str, dir: &Path) -> DemoResult<Demo> {
        let _ = std::fs::remove_dir_all(dir);
        let mut consulates = Vec::new();
        for c in &CONSULATES {
            consulates.push(Phone::enrol(hq, url, ca_pem, dir, c.office, Role::ConsularOfficer, c.label)?);
        }
        let mut borders = Vec::new();
        for b in &BORDER_POSTS {
            borders.push(Phone::enrol(hq, url, ca_pem, dir, b.office, Role::BorderGuard, b.label)?);
        }
        Ok(Demo { consulates, borders, rng: ChaCha8Rng::seed_from_u64(2014), travelling: Vec::new(), ticks: 0 })
    }

    /// The border post a traveller on `route` comes home through.
    fn border_for(route: &str) -> usize {
        if route.contains("Osh") {
            1
        } else if route.contains("Ak-Jol") {
            2
        } else {
            0
        }
    }

    /// Weeks of history, oldest first. The youngest requests stay in the
    /// review queue for the newcomer to decide.
    pub fn seed_history(&mut self, hq: &Hq, sizes: Sizes) -> DemoResult<Summary> {
        let now = now_ms();
        let start = now - sizes.days * DAY_MS;
        let span = (sizes.days * DAY_MS).max(1) as u64;
        let mut summary = Summary::default();
        let clock = std::time::Instant::now();

        // Requests, each at its consulate, in the order they were taken.
        let mut planned = Vec::new();
        for _ in 0..sizes.requests {
            let c = people::by_share(&mut self.rng, &CONSULATES, |c| c.share);
            let at = start + (self.rng.next_u64() % span) as i64;
            planned.push((at, c.office));
        }
        planned.sort();
        let mut cases = Vec::new();
        for (at, office) in planned {
            let i = CONSULATES.iter().position(|c| c.office == office).unwrap_or(0);
            let c = &CONSULATES[i];
            let person = people::person(&mut self.rng, c.men);
            let victim = people::per_mille(&mut self.rng, c.victims);
            let case = self.consulates[i].take_request(&person, c.route, c.loss, victim, at)?;
            cases.push((at, i, case));
        }
        eprintln!("homeward-demo: {} requests taken ({:.1} s)", cases.len(), clock.elapsed().as_secs_f64());
        for p in &mut self.consulates {
            p.sync()?;
        }
        eprintln!("homeward-demo: requests synced ({:.1} s)", clock.elapsed().as_secs_f64());
        summary.requests = cases.len();

        // Headquarters' decisions on all but the youngest.
        let waiting = (cases.len() / 20).clamp(3.min(cases.len()), 20);
        summary.waiting = waiting;
        let decided = cases.len() - waiting;
        for (n, (_, _, case)) in cases.iter().take(decided).enumerate() {
            match self.rng.next_u32() % 100 {
                0..=2 => {
                    let question = "Please send a copy of the old passport's first page, if the family has one.";
                    hq.decide_as(
                        case,
                        CertificateEvent::MoreInformationRequested { question: question.into() },
                        HISTORY_REVIEWER,
                    )?;
                }
                3..=5 => {
                    hq.decide_as(
                        case,
                        CertificateEvent::IdentityVerified { note: "population register".into() },
                        HISTORY_REVIEWER,
                    )?;
                    let reason = "the population register does not confirm the identity given";
                    hq.decide_as(case, CertificateEvent::Rejected { reason: reason.into() }, HISTORY_REVIEWER)?;
                }
                _ if n + 4 >= decided => {
                    // A few verified but not yet approved: the second step of the queue.
                    hq.decide_as(
                        case,
                        CertificateEvent::IdentityVerified { note: "population register match".into() },
                        HISTORY_REVIEWER,
                    )?;
                }
                _ => {
                    hq.decide_as(
                        case,
                        CertificateEvent::IdentityVerified { note: "population register match".into() },
                        HISTORY_REVIEWER,
                    )?;
                    hq.decide_as(case, CertificateEvent::Approved { validity_days: 30 }, HISTORY_REVIEWER)?;
                }
            }
        }

        eprintln!("homeward-demo: decisions taken ({:.1} s)", clock.elapsed().as_secs_f64());
        // The consulates see the approvals and issue; most travellers are home already.
        for b in &mut self.borders {
            b.sync()?;
        }
        let mut entries = Vec::new();
        for (i, p) in self.consulates.iter_mut().enumerate() {
            p.sync()?;
            for (_, _, barcode, _) in p.issue_approved(now)? {
                summary.issued += 1;
                if people::per_mille(&mut self.rng, 700) {
                    entries.push((Self::border_for(CONSULATES[i].route), barcode));
                }
            }
            p.sync()?;
        }
        for b in &mut self.borders {
            b.sync()?;
        }
        for (border, barcode) in entries {
            self.borders[border].record_entry(&barcode, now)?;
            summary.entered += 1;
        }

        eprintln!("homeward-demo: certificates issued, entries recorded ({:.1} s)", clock.elapsed().as_secs_f64());
        // Screenings at the border posts.
        let mut planned = Vec::new();
        for _ in 0..sizes.screenings {
            let b = people::by_share(&mut self.rng, &BORDER_POSTS, |b| b.share);
            let at = start + (self.rng.next_u64() % span) as i64;
            planned.push((at, b.office));
        }
        planned.sort();
        for (at, office) in planned {
            let i = BORDER_POSTS.iter().position(|b| b.office == office).unwrap_or(0);
            let profile = people::screening_profile(&mut self.rng);
            let age = 18 + self.rng.next_u32() % 40;
            self.borders[i].screen(profile, age, at)?;
            summary.screenings += 1;
        }
        eprintln!("homeward-demo: screenings made ({:.1} s)", clock.elapsed().as_secs_f64());
        for b in &mut self.borders {
            b.sync()?;
        }
        Ok(summary)
    }

    /// One round of the live loop: every phone syncs; approvals are issued,
    /// travellers reach the border; now and then a new request and a new
    /// screening arrive. Returns what happened, one line each (case ids and
    /// certificate numbers only: no names, even fictional, in logs).
    pub fn tick(&mut self) -> DemoResult<Vec<String>> {
        self.ticks += 1;
        let now = now_ms();
        let mut lines = Vec::new();
        for (i, p) in self.consulates.iter_mut().enumerate() {
            p.sync()?;
            let issued = p.issue_approved(now)?;
            if issued.is_empty() {
                continue;
            }
            p.sync()?;
            for (case, number, barcode, waived) in issued {
                lines.push(format!(
                    "{}: the approval of case {case} arrived at the next sync; certificate {number} issued{}.",
                    p.name(),
                    if waived { " without a fee (trafficking victim)" } else { "" }
                ));
                self.travelling.push(Traveller {
                    barcode,
                    border: Self::border_for(CONSULATES[i].route),
                    due_tick: self.ticks + 2,
                });
            }
        }
        let (due, later): (Vec<_>, Vec<_>) = self.travelling.drain(..).partition(|t| t.due_tick <= self.ticks);
        self.travelling = later;
        for t in due {
            let b = &mut self.borders[t.border];
            b.sync()?;
            b.record_entry(&t.barcode, now)?;
            b.sync()?;
            lines.push(format!("{}: the certificate verified offline; entry recorded and synced.", b.name()));
        }
        // About one new request a minute and one screening every half minute at the default pace.
        if self.ticks.is_multiple_of(6) {
            let i = CONSULATES
                .iter()
                .position(|c| c.office == people::by_share(&mut self.rng, &CONSULATES, |c| c.share).office)
                .unwrap_or(0);
            let c = &CONSULATES[i];
            let person = people::person(&mut self.rng, c.men);
            let victim = people::per_mille(&mut self.rng, c.victims);
            let case = self.consulates[i].take_request(&person, c.route, c.loss, victim, now)?;
            self.consulates[i].sync()?;
            lines.push(format!("{}: a new request, case {case}, is waiting for review.", self.consulates[i].name()));
        }
        if self.ticks.is_multiple_of(3) {
            let i = BORDER_POSTS
                .iter()
                .position(|b| b.office == people::by_share(&mut self.rng, &BORDER_POSTS, |b| b.share).office)
                .unwrap_or(0);
            let profile = people::screening_profile(&mut self.rng);
            self.borders[i].screen(profile, 18 + self.rng.next_u32() % 40, now)?;
            self.borders[i].sync()?;
        }
        Ok(lines)
    }
}
