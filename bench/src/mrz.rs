//! `mrz-bench`: machine-readable zones read per second on one thread, for
//! 10,000 distinct zones of every format, clean and with one OCR look-alike
//! damage each (the correction search), against a reference of 1,000 zones
//! per second: a phone's camera gives 10-30 frames a second, so reading is
//! never what an officer waits for. `--quick` is the smoke run; every
//! reading is checked against the zone written.

use std::time::Instant;

use homeward_core::date::IsoDate;
use homeward_core::mrz::{self, look_alike, MrzFormat, ZoneFields};

const FORMATS: [MrzFormat; 5] = [MrzFormat::Td3, MrzFormat::Td1, MrzFormat::Td2, MrzFormat::MrvA, MrzFormat::MrvB];

fn zone(i: usize) -> Vec<String> {
    let format = FORMATS[i % FORMATS.len()];
    let letters = |n: usize, seed: usize| -> String {
        (0..n).map(|k| (b'A' + ((seed * 31 + k * 7) % 26) as u8) as char).collect()
    };
    mrz::write(&ZoneFields {
        format,
        document_code: match format {
            MrzFormat::Td3 => "P".into(),
            MrzFormat::MrvA | MrzFormat::MrvB => "V".into(),
            _ => "ID".into(),
        },
        issuing_state: "KGZ".into(),
        surname: letters(8, i),
        given_names: format!("{} {}", letters(5, i + 1), letters(4, i + 2)),
        document_number: format!("AC{:07}", i),
        nationality: "KGZ".into(),
        date_of_birth: format!("{:02}{:02}{:02}", 60 + i % 40, 1 + i % 12, 1 + i % 28),
        sex: if i.is_multiple_of(2) { 'F' } else { 'M' },
        date_of_expiry: format!("{:02}{:02}{:02}", 27 + i % 10, 1 + i % 12, 1 + i % 28),
        optional_data: format!("{:06}", i),
        optional_data_2: String::new(),
    })
}

/// The zone with its first look-alike in the document number damaged.
fn damaged(zone: &[String]) -> String {
    let (line, start) = if zone.len() == 3 { (0, 5) } else { (1, 0) };
    let mut lines: Vec<Vec<u8>> = zone.iter().map(|l| l.clone().into_bytes()).collect();
    if let Some(c) = (start..start + 9).find(|&c| look_alike(lines[line][c]).is_some()) {
        lines[line][c] = look_alike(lines[line][c]).unwrap_or(lines[line][c]);
    }
    lines.into_iter().map(|l| String::from_utf8(l).unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 500 } else { 10_000 };
    let rounds = if quick { 1 } else { 5 };
    let today = IsoDate::from_ymd(2026, 12, 2).unwrap();
    let zones: Vec<Vec<String>> = (0..n).map(zone).collect();
    let clean: Vec<String> = zones.iter().map(|z| z.join("\n")).collect();
    let hurt: Vec<String> = zones.iter().map(|z| damaged(z.as_slice())).collect();

    let run = |texts: &[String]| -> (f64, usize, usize) {
        let mut best = f64::MAX;
        let (mut corrected, mut refused) = (0, 0);
        for _ in 0..rounds {
            let t = Instant::now();
            let (mut c, mut r) = (0, 0);
            for (text, zone) in texts.iter().zip(&zones) {
                match mrz::read(text, today) {
                    Ok(doc) => {
                        assert_eq!(&doc.lines, zone, "misread");
                        c += usize::from(!doc.corrections.is_empty());
                    }
                    Err(_) => r += 1,
                }
            }
            best = best.min(t.elapsed().as_secs_f64());
            (corrected, refused) = (c, r);
        }
        (texts.len() as f64 / best, corrected, refused)
    };
    let (clean_rate, _, clean_refused) = run(&clean);
    assert_eq!(clean_refused, 0, "a clean zone was refused");
    let (hurt_rate, corrected, refused) = run(&hurt);
    assert!(corrected + refused == n && corrected > 0);
    println!("| measure | value | reference | ratio | met |");
    println!("|---|---|---|---|---|");
    for (label, rate) in [
        (format!("clean zones read per second, {n} zones of all five formats, one thread"), clean_rate),
        (
            format!(
                "damaged zones (one look-alike in the number) per second; {corrected} corrected, {refused} refused"
            ),
            hurt_rate,
        ),
    ] {
        println!(
            "| {label} | {rate:.0} | 1000 (target) | {:.1}x | {} |",
            rate / 1000.0,
            if rate >= 1000.0 { "yes" } else { "no" }
        );
    }
}
