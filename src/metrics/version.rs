//! The knowledge's version: a short fingerprint of the files it is loaded from, so a curator
//! can tell which edit the bot is serving without a version field to keep up to date.

use std::path::Path;

/// Hex digits of a version: enough to tell edits apart at a glance.
pub const VERSION_CHARS: usize = 12;

/// FNV-1a's 64-bit offset basis and prime: a simple, stable hash (the same on every machine
/// and Rust release), which is all a version needs; nothing relies on it for security.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The version of the knowledge in `dir`: [`VERSION_CHARS`] hex digits of a hash of the files
/// the knowledge is read from (`entries/*.yaml`, `lexicon.yaml`, `safety.yaml`,
/// `sources.yaml`), with their names. Any edit changes it; a file that cannot be read counts
/// as absent.
pub fn knowledge_version(dir: &Path) -> String {
    // Names with `/` on every system, so the same files give the same version anywhere.
    let mut files: Vec<String> = ["lexicon.yaml", "safety.yaml", "sources.yaml"]
        .iter()
        .map(|f| f.to_string())
        .collect();
    if let Ok(read) = std::fs::read_dir(dir.join("entries")) {
        files.extend(
            read.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .filter_map(|p| {
                    p.file_name()
                        .map(|n| format!("entries/{}", n.to_string_lossy()))
                }),
        );
    }
    files.sort();
    let mut hash = FNV_OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    };
    for file in files {
        let Ok(content) = std::fs::read(dir.join(&file)) else {
            continue;
        };
        add(file.as_bytes());
        add(&[0]);
        add(&(content.len() as u64).to_le_bytes());
        add(&content);
    }
    format!("{hash:016x}")[..VERSION_CHARS].to_string()
}
