//! `--state FILE`: what the instances hold, written atomically at a clean shutdown and on
//! `POST /__admin/state/save`, and read back at start.
//!
//! Instances are named by their id, which derives from their secret key: the file holds no key,
//! and an instance gets its saved state back when its key is accepted again after a restart.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clerk_mock_document::Document;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::data::document::{self, one_line};
use crate::domain::{ClockSetting, InstanceId};
use crate::tenancy::instance::{SavedEndpoint, SavedInstance};

/// What a state file says it is, so that another JSON file is never read as one.
pub const STATE_FORMAT: &str = "clerk-backend-mock state";

/// The version of the layout this server writes and reads.
pub const STATE_VERSION: u32 = 1;

/// A state file that cannot be read or written, with what is wrong; it names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--state {path}: {problem}")]
pub struct StateFileError {
    pub path: String,
    pub problem: String,
}

/// The file as it is read. `format` and `version` are checked on the raw JSON first, so that a
/// foreign file is named as one; they are fields here for `deny_unknown_fields` to admit them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layout {
    #[allow(
        dead_code,
        reason = "checked on the raw JSON before the layout is read"
    )]
    format: String,
    #[allow(
        dead_code,
        reason = "checked on the raw JSON before the layout is read"
    )]
    version: u32,
    /// When it was written, in Unix milliseconds on the wall clock.
    #[allow(dead_code, reason = "written for people reading the file")]
    saved_at: i64,
    instances: BTreeMap<String, InstanceLayout>,
}

/// One instance in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceLayout {
    data: serde_json::Map<String, serde_json::Value>,
    ids_drawn: u128,
    clock: ClockSetting,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    webhooks: Vec<SavedEndpoint>,
}

/// The file as a save writes it: [`Layout`], borrowing the instances it writes.
#[derive(Debug, Serialize)]
struct LayoutWritten<'a> {
    format: &'static str,
    version: u32,
    saved_at: i64,
    instances: BTreeMap<String, InstanceWritten<'a>>,
}

/// One instance as a save writes it: [`InstanceLayout`], borrowing its document.
#[derive(Debug, Serialize)]
struct InstanceWritten<'a> {
    data: &'a Document,
    ids_drawn: u128,
    clock: ClockSetting,
    #[serde(skip_serializing_if = "<[SavedEndpoint]>::is_empty")]
    webhooks: &'a [SavedEndpoint],
}

impl<'a> InstanceWritten<'a> {
    fn of(saved: &'a SavedInstance) -> Self {
        Self {
            data: &saved.data,
            ids_drawn: saved.ids_drawn,
            clock: saved.clock,
            webhooks: &saved.webhooks,
        }
    }
}

/// What a save wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub instances: usize,
    pub bytes: usize,
}

/// The state file and the saved instances that have not come back yet.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    /// Instances the file held whose key has not been accepted since the start: a later save
    /// keeps them as they were.
    waiting: Mutex<BTreeMap<InstanceId, SavedInstance>>,
    /// One save at a time, so that two never write the temporary file together.
    saving: Mutex<()>,
}

impl StateFile {
    /// Opens `path`: reads the instances it holds when it exists, or starts with none when it
    /// does not (its folder must exist, so that the first save can write it). A file that is
    /// not a whole state file of this version is an error, never an empty start.
    pub fn open(path: &Path) -> Result<Self, StateFileError> {
        let failed = |problem: String| StateFileError {
            path: path.display().to_string(),
            problem,
        };
        let waiting = match std::fs::read(path) {
            Ok(bytes) => read_instances(&bytes).map_err(failed)?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let folder = folder_of(path);
                if !folder.is_dir() {
                    return Err(failed(format!(
                        "the folder {} does not exist",
                        folder.display()
                    )));
                }
                BTreeMap::new()
            }
            Err(error) => return Err(failed(error.to_string())),
        };
        Ok(Self {
            path: path.to_owned(),
            waiting: Mutex::new(waiting),
            saving: Mutex::new(()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state of instance `id`, taken out of those waiting: from now on the live
    /// instance is what a save writes.
    pub fn take(&self, id: InstanceId) -> Option<SavedInstance> {
        self.waiting.lock().remove(&id)
    }

    /// Puts back a saved state that could not be restored after all, for a later save to keep.
    pub fn put_back(&self, id: InstanceId, saved: SavedInstance) {
        self.waiting.lock().insert(id, saved);
    }

    /// Forgets instance `id`, which was deleted.
    pub fn forget(&self, id: InstanceId) {
        self.waiting.lock().remove(&id);
    }

    /// Writes the live instances and those still waiting, atomically: into a temporary file
    /// beside the state file, flushed to disk, then renamed over it.
    pub fn save(
        &self,
        live: impl IntoIterator<Item = (InstanceId, SavedInstance)>,
    ) -> Result<Saved, StateFileError> {
        let failed = |problem: String| StateFileError {
            path: self.path.display().to_string(),
            problem,
        };
        let _one_at_a_time = self.saving.lock();
        let live: Vec<(String, SavedInstance)> = live
            .into_iter()
            .map(|(id, saved)| (id.to_string(), saved))
            .collect();
        let waiting = self.waiting.lock();
        // Written straight from the instances' documents, with no copy between.
        let mut instances: BTreeMap<String, InstanceWritten<'_>> = waiting
            .iter()
            .map(|(id, saved)| (id.to_string(), InstanceWritten::of(saved)))
            .collect();
        for (id, saved) in &live {
            instances.insert(id.clone(), InstanceWritten::of(saved));
        }
        let count = instances.len();
        let layout = LayoutWritten {
            format: STATE_FORMAT,
            version: STATE_VERSION,
            saved_at: crate::domain::clock::wall_clock_ms(),
            instances,
        };
        let bytes = serde_json::to_vec(&layout).map_err(|error| failed(error.to_string()))?;
        drop(waiting);
        let temporary = temporary_path(&self.path);
        let written = std::fs::File::create(&temporary).and_then(|mut file| {
            file.write_all(&bytes)?;
            file.sync_all()
        });
        if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, &self.path)) {
            let _ = std::fs::remove_file(&temporary);
            return Err(failed(format!("cannot write it: {error}")));
        }
        Ok(Saved {
            instances: count,
            bytes: bytes.len(),
        })
    }
}

/// The instances of a state file's bytes, or why they are not a state file this server reads.
fn read_instances(bytes: &[u8]) -> Result<BTreeMap<InstanceId, SavedInstance>, String> {
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        format!("not a whole JSON document ({error}); it may have been cut short")
    })?;
    if json.get("format").and_then(serde_json::Value::as_str) != Some(STATE_FORMAT) {
        return Err(format!(
            "not a state file: it has no \"format\": \"{STATE_FORMAT}\""
        ));
    }
    let version = json.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(STATE_VERSION)) {
        return Err(format!(
            "a state file of version {}, and this server reads version {STATE_VERSION}",
            version.map_or_else(|| "(none)".to_owned(), |version| version.to_string())
        ));
    }
    let layout: Layout = serde_json::from_value(json).map_err(|error| error.to_string())?;
    layout
        .instances
        .into_iter()
        .map(|(id, instance)| {
            let parsed = InstanceId::parse(&id)
                .ok_or_else(|| format!("instances: {id:?} is not an instance id"))?;
            let data = document::read(&instance.data)
                .map_err(|problems| format!("instance {id}: {}", one_line(&problems)))?;
            Ok((
                parsed,
                SavedInstance {
                    data,
                    ids_drawn: instance.ids_drawn,
                    clock: instance.clock,
                    webhooks: instance.webhooks,
                },
            ))
        })
        .collect()
}

/// The folder `path` is in (the current one for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// `state.json` → `state.json.saving`, in the same folder, so that the rename stays on one file
/// system and is atomic.
fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".saving");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let folder =
            std::env::temp_dir().join(format!("clerk-mock-state-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("the scratch folder is made");
        folder.join("state.json")
    }

    #[test]
    fn a_missing_file_starts_empty_and_a_missing_folder_is_an_error() {
        let path = scratch("missing");
        let _ = std::fs::remove_file(&path);
        let file = StateFile::open(&path).expect("a missing file is a fresh start");
        assert!(file.waiting.lock().is_empty());
        let error = StateFile::open(&path.join("nowhere/state.json")).expect_err("no folder");
        assert!(error.problem.contains("does not exist"), "{error}");
    }

    #[test]
    fn torn_foreign_and_other_version_files_are_errors_that_name_the_file() {
        let path = scratch("bad");
        for (text, expected) in [
            ("", "not a whole JSON document"),
            (
                "{\"format\": \"clerk-backend-mock state\", \"vers",
                "cut short",
            ),
            ("{\"users\": []}", "not a state file"),
            (
                "{\"format\": \"clerk-backend-mock state\", \"version\": 9}",
                "version 9",
            ),
            (
                "{\"format\": \"clerk-backend-mock state\", \"version\": 1, \"saved_at\": 0, \"instances\": {\"nope\": {\"data\": {}, \"ids_drawn\": 0, \"clock\": {\"offset_ms\": 0}}}}",
                "not an instance id",
            ),
        ] {
            std::fs::write(&path, text).expect("written");
            let error = StateFile::open(&path).expect_err(text);
            assert!(error.problem.contains(expected), "{text}: {error}");
            assert!(error.to_string().starts_with("--state "), "{error}");
            assert!(error.to_string().contains("state.json"), "{error}");
        }
    }

    #[test]
    fn a_save_is_read_back_and_keeps_the_instances_still_waiting() {
        let path = scratch("round-trip");
        let _ = std::fs::remove_file(&path);
        let file = StateFile::open(&path).expect("opens");
        let id = InstanceId::from_digest(&[1; 32]);
        let other = InstanceId::from_digest(&[2; 32]);
        let saved = SavedInstance {
            data: Document::default(),
            ids_drawn: 1234,
            clock: ClockSetting {
                offset_ms: 0,
                frozen_at_ms: Some(1_700_000_000_000),
            },
            webhooks: Vec::new(),
        };
        let written = file.save([(id, saved.clone())]).expect("saved");
        assert_eq!(written.instances, 1);
        assert!(!temporary_path(&path).exists());

        let reopened = StateFile::open(&path).expect("reopens");
        reopened.put_back(other, saved);
        assert_eq!(reopened.save([]).expect("saved").instances, 2);
        let again = StateFile::open(&path).expect("reopens");
        let back = again.take(id).expect("kept while waiting");
        assert_eq!(back.ids_drawn, 1234);
        assert_eq!(back.clock.frozen_at_ms, Some(1_700_000_000_000));
        again.forget(other);
        assert!(again.take(other).is_none());
    }
}
