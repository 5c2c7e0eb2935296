//! `medfaq check [DIR]`: lint the knowledge. Exit 0 clean (warnings allowed), 1 findings,
//! 2 error.

use std::io::Write;
use std::path::Path;

use crate::check::Options;

use super::out::Out;

pub(super) fn run(dir: &Path, json: bool, review_max_days: u32) -> anyhow::Result<u8> {
    let options = Options {
        review_max_days,
        ..Options::default()
    };
    let report = crate::check::check_dir_with(dir, &options).map_err(|e| {
        super::knowledge_error(
            dir,
            e,
            "pass the folder to check (`medfaq check DIR`), or point medfaq at one with \
             `--knowledge DIR` or the MEDFAQ_KNOWLEDGE environment variable",
        )
    })?;
    let mut out = Out::new();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        for f in &report.findings {
            writeln!(out, "{f}")?;
        }
        for w in &report.warnings {
            writeln!(out, "warning: {w}")?;
        }
        let warnings = match report.warnings.len() {
            0 => String::new(),
            n => format!(" ({n} warning(s))"),
        };
        if report.is_clean() {
            writeln!(
                out,
                "{}: {} entries, {} questions checked: no problems{warnings}",
                dir.display(),
                report.entries,
                report.questions_checked
            )?;
        } else {
            writeln!(out, "{} problem(s) found{warnings}", report.findings.len())?;
        }
    }
    out.flush()?;
    Ok(if report.is_clean() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    })
}
