//! `homeward demo`: a guided tour a newcomer can follow in a terminal.
//! The people in it are fictional.

use std::path::Path;
use std::time::Instant;

use homeward_core::vault::{self, IndexTerm, Lookup, NewRecord, RecordId, Secret, Vault, VaultError, VaultOptions};

use crate::output::Output;

const DEMO_PASSPHRASE: &str = "demo passphrase for training only";
const KIND: &str = "demo.person";

const PEOPLE: [(&str, &str, &str); 5] = [
    ("Асанова Айгүл Бакытовна", "AN1234567", "Istanbul"),
    ("Токтогулов Нурлан", "ID0456123", "Moscow"),
    ("Omurbekova Jyldyz", "AC7654321", "Dubai"),
    ("Юлия Иванова", "PE0011223", "Almaty"),
    ("Sadykov Bakyt", "AN7000001", "Yekaterinburg"),
];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

pub fn run(out: &Output, dir: &Path) -> vault::Result<()> {
    if dir.exists() {
        let looks_like_demo = vault::exists(dir) || dir.read_dir()?.next().is_none();
        if !looks_like_demo {
            return Err(VaultError::InvalidInput(format!(
                "{} exists and is not a vault; choose another --dir",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir)?;
    }
    out.say(&format!("1. Creating a vault in {} (argon2id, 128 MiB, 4 passes)...", dir.display()));
    let mut v = Vault::create(dir, &Secret::new(DEMO_PASSPHRASE), None, VaultOptions::default())?;
    v.lock();
    let t = Instant::now();
    v.unlock(&Secret::new(DEMO_PASSPHRASE), None)?;
    let unlock_ms = t.elapsed().as_millis();
    out.say(&format!("   unlocked in {unlock_ms} ms (the cost an attacker pays per guess)"));

    out.say("2. Saving five fictional cases, each sealed with XChaCha20-Poly1305...");
    let mut ids = Vec::new();
    for (name, doc, city) in PEOPLE {
        let id = RecordId::random();
        let body = serde_json::json!({ "name": name, "document": doc, "found_in": city }).to_string();
        v.put(&NewRecord {
            id,
            kind: KIND,
            schema_version: 1,
            body: body.as_bytes(),
            index: &[IndexTerm::Name(name.into()), IndexTerm::DocumentNumber(doc.into())],
        })?;
        ids.push(id);
    }
    let photo: Vec<u8> = (0..120_000u32).map(|i| (i % 251) as u8).collect();
    v.put_attachment(ids[0], &mut photo.as_slice())?;

    out.say("3. Finding them through keyed blind indexes (exact, no names stored):");
    let mut lookups = Vec::new();
    for (label, lookup) in [
        ("name typed in Latin: \"AIGUL ASANOVA BAKYTOVNA\"", Lookup::Name("AIGUL ASANOVA BAKYTOVNA")),
        ("surname typed in Cyrillic: \"Омурбекова\"", Lookup::NamePart("Омурбекова")),
        ("older spelling: \"Yuliya Ivanova\"", Lookup::Name("Yuliya Ivanova")),
        ("document number with Cyrillic letters and spaces: \"ан 123 4567\"", Lookup::DocumentNumber("ан 123 4567")),
    ] {
        let found = v.find(lookup)?;
        let names: Vec<String> = found
            .iter()
            .map(|id| {
                let rec = v.get(KIND, *id)?;
                let body: serde_json::Value =
                    serde_json::from_slice(&rec.body).map_err(|_| VaultError::Tampered("demo record"))?;
                Ok(body["name"].as_str().unwrap_or("").to_string())
            })
            .collect::<vault::Result<_>>()?;
        out.say(&format!("   {label} -> {names:?}"));
        lookups.push(serde_json::json!({ "query": label, "found": names }));
    }

    out.say("4. Scanning every byte of the vault's files for the names and numbers:");
    let mut leaks = Vec::new();
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p)?;
            for (name, doc, _) in PEOPLE {
                for needle in [name.as_bytes(), doc.as_bytes()] {
                    if contains(&bytes, needle) {
                        leaks.push(p.display().to_string());
                    }
                }
            }
            out.say(&format!("   {:<60} {:>9} bytes", p.display(), bytes.len()));
            files.push(serde_json::json!({ "file": p, "bytes": bytes.len() }));
        }
    }
    out.say(&format!("   plaintext found: {}", if leaks.is_empty() { "none" } else { "YES (bug!)" }));

    out.say("5. A wrong passphrase is counted on disk and answered with a delay:");
    v.lock();
    let wrong = match v.unlock(&Secret::new("a wrong guess at the passphrase"), None) {
        Err(e @ VaultError::WrongSecret { .. }) => e.to_string(),
        Err(e) => return Err(e),
        Ok(()) => "unexpectedly unlocked".into(),
    };
    out.say(&format!("   {wrong}"));
    out.say(&format!(
        "\nDone. Inspect it with: homeward --data-dir {} status\n(passphrase for this demo vault: \"{DEMO_PASSPHRASE}\")",
        dir.display()
    ));
    out.print(
        "",
        &serde_json::json!({
            "dir": dir, "unlock_ms": unlock_ms, "lookups": lookups, "files": files,
            "plaintext_found": !leaks.is_empty(), "wrong_passphrase": wrong,
        }),
    );
    if !leaks.is_empty() {
        return Err(VaultError::Tampered("plaintext found in the demo vault"));
    }
    Ok(())
}
