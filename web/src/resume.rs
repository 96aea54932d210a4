//! The session survives a reload: its script, seed and where the brokers
//! run are kept in `localStorage` after every update, and a page opened
//! without a link offers to resume it (the engine runs the script again
//! from the seed: the same events, so the same cluster) or to start fresh.

use kafkascope_view::engine::Update;

const SCRIPT: &str = "kafkascope.session.script";
const SEED: &str = "kafkascope.session.seed";
const WORKERS: &str = "kafkascope.session.workers";

/// A session kept for the next page load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    pub script: String,
    pub seed: u64,
    pub workers: bool,
}

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|e| format!("localStorage is not available: {e:?}"))?
        .ok_or_else(|| "localStorage is not available".to_string())
}

/// Keeps `u`'s session (an empty one is forgotten).
pub fn save(u: &Update) -> Result<(), String> {
    let s = storage()?;
    if u.script.is_empty() {
        return clear();
    }
    let put = |k: &str, v: &str| {
        s.set_item(k, v)
            .map_err(|e| format!("could not keep the session for a reload (storage full?): {e:?}"))
    };
    put(SCRIPT, &u.script)?;
    put(SEED, &u.seed.to_string())?;
    put(WORKERS, if u.brokers_in_workers { "1" } else { "0" })
}

/// The kept session, if there is one worth resuming.
pub fn load() -> Option<Saved> {
    let s = storage().ok()?;
    let script = s.get_item(SCRIPT).ok()??;
    let seed = s.get_item(SEED).ok()??.parse().ok()?;
    let workers = s.get_item(WORKERS).ok()?.as_deref() == Some("1");
    (!script.trim().is_empty()).then_some(Saved {
        script,
        seed,
        workers,
    })
}

pub fn clear() -> Result<(), String> {
    let s = storage()?;
    for k in [SCRIPT, SEED, WORKERS] {
        s.remove_item(k)
            .map_err(|e| format!("could not forget the kept session: {e:?}"))?;
    }
    Ok(())
}
