//! `medfaq forget --guild ID`: deletes everything stored about one server.

use std::io::Write;

use super::StoreArgs;

pub(super) fn run(store: &StoreArgs, guild_id: u64) -> anyhow::Result<u8> {
    let location = store.location()?;
    let forgotten = super::block_on(async {
        let store = super::open_existing(&location).await?;
        anyhow::Ok(store.forget_guild(guild_id).await?)
    })?;
    let mut out = super::out::Out::new();
    if forgotten.total() == 0 {
        writeln!(out, "nothing was stored for guild {guild_id} in {location}")?;
    } else {
        writeln!(
            out,
            "forgot guild {guild_id} in {location}: {} settings, {} feedback, {} answers-served \
             counter(s), {} unanswered question(s), {} \"did you mean\" pick(s)",
            forgotten.settings,
            forgotten.feedback,
            forgotten.served,
            forgotten.unanswered,
            forgotten.picks
        )?;
    }
    out.flush()?;
    Ok(super::EXIT_OK)
}
