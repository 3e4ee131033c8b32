//! The steps that remove or undo what a job made or left — `tugboat
//! recover`'s (each makes one leftover of a cut-off job safe), a creation's
//! undo and `destroy` — typed, with what each touches and may leave beside
//! how it runs. Each does nothing when its work is already done.

use serde::Serialize;

use crate::docker::{HostHandle, HELPER_LABEL, HELPER_VOLUME_LABEL};
use crate::model::new_objects::{FoundObject, JobLabel, JobToken, ObjectKind};
use crate::model::ContainerState;
use crate::ops::base::claim::{object, Claim, On};
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::journal_holder::Holder;
use crate::ops::base::leftover::Leftover;
use crate::ops::base::undo::Undo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum CleanupStep {
    /// Recovery: unpause a container a cut-off job paused (nothing when it
    /// no longer is paused).
    Unpause { id: String, name: String },
    /// Recovery: remove the helper containers of a volume's backup or restore.
    RemoveHelpers { volume: String },
    /// Recovery: remove a file on this machine when it is there.
    RemoveFile { path: String },
    /// Remove an object a create made (the undo of its creation, and
    /// `destroy`): a container with its anonymous volumes, a network, a
    /// volume. Done when it is already gone.
    RemoveObject {
        kind: crate::model::new_objects::ObjectKind,
        name: String,
    },
    /// Recovery: remove the `objects` a cut-off creation of `cluster` was
    /// to make on this host (newest first; those not there are skipped).
    RemoveMade {
        cluster: String,
        objects: Vec<(crate::model::new_objects::ObjectKind, String)>,
        /// The cut-off job's token: only objects labelled with it are its.
        job: Option<crate::model::new_objects::JobToken>,
    },
    /// Recovery: free the leases (leases.rs) a cut-off job's process left
    /// on every engine.
    FreeLeases { holder: Holder },
}

impl CleanupStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        let on = On(h);
        match self {
            Self::Unpause { id, .. } => vec![on.container(id)],
            Self::RemoveHelpers { volume } => vec![on.volume(volume)],
            Self::RemoveFile { path } => vec![Claim::File(path.clone())],
            Self::RemoveObject { kind, name } => vec![object(h, *kind, name)],
            Self::RemoveMade { cluster, .. } => vec![Claim::Target(format!("cluster/{cluster}"))],
            // Leases of a process that is gone: nothing else holds them.
            Self::FreeLeases { .. } => vec![],
        }
    }

    /// What it may leave if the job is cut off right after it: nothing new.
    /// Each is its own recovery (run again, it finds its work done).
    pub fn leftovers(&self) -> Vec<Leftover> {
        match self {
            Self::Unpause { .. }
            | Self::RemoveHelpers { .. }
            | Self::RemoveFile { .. }
            | Self::RemoveObject { .. }
            | Self::RemoveMade { .. }
            | Self::FreeLeases { .. } => Vec::new(),
        }
    }

    /// How it is undone: not at all; each is an undo itself, and run
    /// again it finds its work done.
    pub fn undo(&self) -> Undo<CleanupStep> {
        match self {
            Self::Unpause { .. }
            | Self::RemoveHelpers { .. }
            | Self::RemoveFile { .. }
            | Self::RemoveObject { .. }
            | Self::RemoveMade { .. }
            | Self::FreeLeases { .. } => {
                Undo::Not("it is an undo itself: run again, it finds its work done")
            }
        }
    }
}

/// Remove an object; one already gone counts as removed.
pub(crate) async fn remove_object(handle: &HostHandle, kind: ObjectKind, name: &str) -> StepResult {
    let what = |e: crate::docker::HostError| format!("{} {name}: {e}", kind.word());
    if !handle.object_exists(kind, name).await.map_err(what)? {
        return Ok(());
    }
    match kind {
        ObjectKind::Container => handle.remove_created_container(name).await,
        ObjectKind::Network => handle.remove_network(name).await,
        ObjectKind::Volume => handle.remove_volume(name).await,
    }
    .map_err(|e| StepError::Failed(what(e)))
}

/// Why an object by a name the cut-off job was to make is not its own
/// (None: it is, by its label).
pub(crate) fn not_made_by(
    kind: ObjectKind,
    name: &str,
    found: &FoundObject,
    job: Option<&JobToken>,
) -> Option<String> {
    let what = format!("{} {name}", kind.word());
    match (&found.job, job) {
        (JobLabel::Token(label), Some(cut_off)) if label == cut_off => None,
        (JobLabel::Token(label), Some(cut_off)) => Some(format!(
            "{what} was made since by another job: its label says job {}, the cut-off job was {}",
            label.short(),
            cut_off.short()
        )),
        (JobLabel::Token(label), None) => Some(format!(
            "{what} carries job {}, and the cut-off job recorded no token to compare",
            label.short()
        )),
        (JobLabel::Missing, _) => Some(format!(
            "{what} carries no job label: not made by the cut-off job"
        )),
        (JobLabel::Other(text), _) => Some(format!(
            "{what} carries the job label `{text}`, not a token"
        )),
    }
}

/// Remove what a cut-off create made, newest first — only when every one
/// still there carries the job's token. One that does not (the cluster was
/// destroyed and made again under the same names) stops it before anything
/// is removed, saying what differs.
async fn remove_made(
    handle: &HostHandle,
    cluster: &str,
    objects: &[(ObjectKind, String)],
    job: Option<&JobToken>,
) -> StepResult {
    let mut own = Vec::new();
    let mut differs = Vec::new();
    for (kind, name) in objects.iter().rev() {
        let what = |e: crate::docker::HostError| format!("{} {name}: {e}", kind.word());
        let Some(found) = handle.find_object(*kind, name).await.map_err(what)? else {
            continue;
        };
        match not_made_by(*kind, name, &found, job) {
            Some(why) => differs.push(why),
            None => own.push((*kind, name, found.id)),
        }
    }
    if !differs.is_empty() {
        return Err(StepError::Refused(format!(
            "refused: nothing of cluster {cluster} was removed — {}",
            differs.join("; ")
        )));
    }
    for (kind, name, id) in own {
        // By id: the object checked, not one made under its name since.
        let removed = match kind {
            ObjectKind::Container => handle.remove_created_container(&id).await,
            ObjectKind::Network => handle.remove_network(&id).await,
            ObjectKind::Volume => handle.remove_volume(name).await,
        };
        removed.map_err(|e| StepError::Failed(format!("{} {name}: {e}", kind.word())))?;
    }
    Ok(())
}

/// Run on `handle`; freeing leases asks every engine of `hosts`.
pub(crate) async fn run(
    hosts: &[HostHandle],
    handle: &HostHandle,
    step: &CleanupStep,
) -> StepResult {
    match step {
        CleanupStep::Unpause { id, name } => {
            let (state, _) = handle
                .container_status(id)
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            if state == ContainerState::Paused {
                handle
                    .unpause_container(id)
                    .await
                    .map_err(|e| format!("{name}: {e}"))?;
            }
            Ok(())
        }
        CleanupStep::RemoveHelpers { volume } => {
            let labels = [
                HELPER_LABEL.to_string(),
                format!("{HELPER_VOLUME_LABEL}={volume}"),
            ];
            let found = handle.labelled(&labels).await?;
            for c in found.containers {
                handle
                    .remove_helper(&c)
                    .await
                    .map_err(|e| format!("helper {c}: {e}"))?;
            }
            Ok(())
        }
        CleanupStep::RemoveFile { path } => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(StepError::Failed(format!("{path}: {e}")))
            }
            _ => Ok(()),
        },
        CleanupStep::RemoveObject { kind, name } => remove_object(handle, *kind, name).await,
        CleanupStep::RemoveMade {
            cluster,
            objects,
            job,
        } => remove_made(handle, cluster, objects, job.as_ref()).await,
        CleanupStep::FreeLeases { holder } => {
            let freed = crate::ops::base::leases::free_of(hosts, holder).await;
            tracing::info!("freed {freed} lease(s) of pid {}", holder.pid);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SafeText;

    fn found(job: JobLabel) -> FoundObject {
        FoundObject {
            id: "c0ffee".into(),
            job,
        }
    }

    #[test]
    fn only_an_object_carrying_the_cut_off_jobs_token_is_its_own() {
        let cut_off = JobToken::from_bytes([0xaa; 16]);
        let later = JobToken::from_bytes([0xbb; 16]);
        let kind = ObjectKind::Container;
        let own = found(JobLabel::Token(cut_off.clone()));
        assert_eq!(not_made_by(kind, "zk-zk1", &own, Some(&cut_off)), None);
        let remade = found(JobLabel::Token(later));
        assert_eq!(
            not_made_by(kind, "zk-zk1", &remade, Some(&cut_off)).unwrap(),
            "container zk-zk1 was made since by another job: its label says job bbbbbbbbbbbb, \
             the cut-off job was aaaaaaaaaaaa"
        );
        // No token on either side: never taken for the job's own.
        assert!(not_made_by(kind, "zk-zk1", &own, None).is_some());
        let unlabelled = found(JobLabel::Missing);
        assert!(
            not_made_by(ObjectKind::Volume, "zk-data", &unlabelled, Some(&cut_off))
                .unwrap()
                .contains("volume zk-data carries no job label")
        );
        let odd = found(JobLabel::Other(SafeText::from_foreign("x\u{1b}[2J")));
        let why = not_made_by(kind, "zk-zk1", &odd, Some(&cut_off)).unwrap();
        assert!(!why.contains('\u{1b}'), "{why}");
    }

    #[test]
    fn each_cleanup_holds_what_it_removes_and_leaves_nothing_new() {
        let steps = [
            CleanupStep::Unpause {
                id: "0123456789abcdef".into(),
                name: "db".into(),
            },
            CleanupStep::RemoveHelpers {
                volume: "data".into(),
            },
            CleanupStep::RemoveFile {
                path: "/b/.x.partial".into(),
            },
            CleanupStep::RemoveObject {
                kind: ObjectKind::Network,
                name: "zk".into(),
            },
            CleanupStep::RemoveMade {
                cluster: "zk".into(),
                objects: vec![(ObjectKind::Container, "zk-zk1".into())],
                job: None,
            },
        ];
        let claims: Vec<Vec<Claim>> = steps.iter().map(|s| s.claims("h")).collect();
        let (host, name) = ("h".to_string(), "zk".to_string());
        assert_eq!(
            claims,
            [
                vec![Claim::Container {
                    host: host.clone(),
                    id: "0123456789ab".into()
                }],
                vec![Claim::Volume {
                    host: host.clone(),
                    name: "data".into()
                }],
                vec![Claim::File("/b/.x.partial".into())],
                vec![Claim::Network { host, name }],
                vec![Claim::Target("cluster/zk".into())],
            ]
        );
        assert!(steps.iter().all(|s| s.leftovers().is_empty()));
    }
}
