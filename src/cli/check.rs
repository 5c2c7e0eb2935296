//! `medfaq check [DIR]`: lint the knowledge. Exit 0 clean, 1 findings, 2 error.

use std::path::Path;

pub(super) fn run(dir: &Path, json: bool) -> anyhow::Result<u8> {
    let report = crate::check::check_dir(dir)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for f in &report.findings {
            println!("{f}");
        }
        if report.is_clean() {
            println!(
                "{}: {} entries, {} questions checked: no problems",
                dir.display(),
                report.entries,
                report.questions_checked
            );
        } else {
            println!("{} problem(s) found", report.findings.len());
        }
    }
    Ok(if report.is_clean() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    })
}
