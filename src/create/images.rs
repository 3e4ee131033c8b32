//! Are the images a create needs on the hosts it runs them on? Asked before
//! the plan is confirmed (and by `--dry-run` and the wizard's review), so a
//! missing image is found before anything is made, with the exact pull to
//! run where.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use super::plan::{CreatePlan, Object};
use crate::docker::{HostError, HostHandle};

/// An image the plan runs on a host that does not have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingImage {
    pub host: String,
    pub image: String,
    /// Local images of the same repository or role, if the user meant one.
    pub fits: Vec<String>,
}

impl fmt::Display for MissingImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "image {} is not on host {}: run `docker pull {}` on {} first",
            self.image, self.host, self.image, self.host
        )?;
        if !self.fits.is_empty() {
            write!(f, " (or use one it has: {})", self.fits.join(", "))?;
        }
        Ok(())
    }
}

/// Each (host, image, role) the plan runs, once.
pub fn planned_images(plan: &CreatePlan) -> Vec<(String, String, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for o in &plan.objects {
        let Object::Container(c) = o else { continue };
        if seen.insert((c.host.clone(), c.image.clone())) {
            let role = c.labels.get(crate::model::LABEL_TUGBOAT_ROLE);
            out.push((
                c.host.clone(),
                c.image.clone(),
                role.cloned().unwrap_or_default(),
            ));
        }
    }
    out
}

/// `repo:tag` as `docker images` lists it: the default registry and
/// library prefixes dropped, `:latest` when no tag is given.
fn normalized(image: &str) -> String {
    let short = image
        .strip_prefix("docker.io/library/")
        .or_else(|| image.strip_prefix("docker.io/"))
        .unwrap_or(image);
    let last = short.rsplit('/').next().unwrap_or(short);
    if last.contains(':') || last.contains('@') {
        short.to_string()
    } else {
        format!("{short}:latest")
    }
}

/// Is `image` among `local` (tags as `docker images` lists them)? Images
/// named by digest cannot be told from tags and count as present.
pub fn has_image(local: &[String], image: &str) -> bool {
    let want = normalized(image);
    want.contains('@') || local.iter().any(|l| normalized(l) == want)
}

/// What the plan misses, judged from each host's tag list (pure: the
/// wizard's review asks this of the images the hosts reported).
pub fn missing_in(plan: &CreatePlan, local: &BTreeMap<String, Vec<String>>) -> Vec<MissingImage> {
    planned_images(plan)
        .into_iter()
        .filter_map(|(host, image, role)| {
            let tags = local.get(&host)?;
            (!has_image(tags, &image)).then(|| MissingImage {
                fits: images_that_fit(&image, &role, tags),
                host,
                image,
            })
        })
        .collect()
}

/// What the plan misses, asked of the engines themselves.
pub async fn missing_images<'a>(
    plan: &CreatePlan,
    lookup: impl Fn(&str) -> Option<&'a HostHandle>,
) -> Result<Vec<MissingImage>, HostError> {
    let mut missing = Vec::new();
    for (host, image, role) in planned_images(plan) {
        let Some(h) = lookup(&host) else {
            return Err(HostError::NotConnected(host));
        };
        if !h.image_present(&image).await? {
            let local = h.local_images().await.unwrap_or_default();
            missing.push(MissingImage {
                fits: images_that_fit(&image, &role, &local),
                host,
                image,
            });
        }
    }
    Ok(missing)
}

/// `missing_images` once every host of the plan is connected (a host
/// still connecting is waited for up to `limit`).
pub async fn check_images(
    plan: &CreatePlan,
    hosts: &[HostHandle],
    limit: Duration,
) -> Result<Vec<MissingImage>, HostError> {
    for (host, ..) in planned_images(plan) {
        let h = hosts.iter().find(|h| h.name == host);
        match h {
            Some(h) if h.wait_connected(limit).await => {}
            _ => return Err(HostError::NotConnected(host)),
        }
    }
    missing_images(plan, |n| hosts.iter().find(|h| h.name == n)).await
}

/// Local images of the same repository (or named after the role), for the
/// message about a missing one.
pub fn images_that_fit(image: &str, role: &str, local: &[String]) -> Vec<String> {
    let repo = |i: &str| -> String {
        let last = i.rsplit('/').next().unwrap_or(i);
        last.split(':').next().unwrap_or(last).to_string()
    };
    let wanted = repo(image);
    local
        .iter()
        .filter(|l| {
            let r = repo(l);
            r == wanted || (!role.is_empty() && role != "app" && r.contains(role))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_that_fit_share_the_repository_or_the_role() {
        let local = vec![
            "tugboat-test/zookeeper:3.8".to_string(),
            "tugboat-test/busybox:latest".to_string(),
            "zookeeper:3.9".to_string(),
            "tugboat-test/mariadb:10.11".to_string(),
        ];
        assert_eq!(
            images_that_fit("zookeeper:3.8", "zookeeper", &local),
            ["tugboat-test/zookeeper:3.8", "zookeeper:3.9"]
        );
        assert_eq!(
            images_that_fit("mysql:8.0", "mysql", &local),
            Vec::<String>::new()
        );
        assert_eq!(
            images_that_fit("mariadb:11", "mariadb", &local),
            ["tugboat-test/mariadb:10.11"]
        );
    }

    #[test]
    fn tags_match_as_docker_names_them() {
        let local = vec![
            "zookeeper:3.9".to_string(),
            "tugboat-test/busybox:latest".to_string(),
        ];
        assert!(has_image(&local, "zookeeper:3.9"));
        assert!(has_image(&local, "docker.io/library/zookeeper:3.9"));
        assert!(has_image(&local, "tugboat-test/busybox"));
        assert!(!has_image(&local, "zookeeper:3.8"));
        assert!(!has_image(&local, "zookeeper"));
        assert!(has_image(&local, "zookeeper@sha256:0123"));
    }

    #[test]
    fn the_message_names_the_pull_and_the_host() {
        let m = MissingImage {
            host: "db2".into(),
            image: "mariadb:11.4".into(),
            fits: vec!["mariadb:10.11".into()],
        };
        assert_eq!(
            m.to_string(),
            "image mariadb:11.4 is not on host db2: run `docker pull mariadb:11.4` on db2 first \
             (or use one it has: mariadb:10.11)"
        );
    }
}
