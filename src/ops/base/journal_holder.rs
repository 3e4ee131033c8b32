//! Who holds a journal entry, and whether it still runs. A pid alone says
//! little: pids are reused, a home directory on NFS is shared by bastions
//! whose pids mean nothing to each other, and a reboot ends every job. An
//! entry names its machine (host name, machine id, boot id) and its process
//! (pid and the tick the kernel started it at); it is running only when all
//! of them match here, and an entry of another machine is never taken for
//! a cut-off job of this one.

use std::io::Read;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::new_objects::JobToken;

/// The machine a process runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    pub host: String,
    /// `/etc/machine-id` (empty when unreadable): two bastions cloned
    /// from one image may share a host name, rarely this.
    pub machine_id: String,
    /// `/proc/sys/kernel/random/boot_id`: a new one after every reboot.
    pub boot_id: String,
}

/// The process that runs a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    #[serde(flatten)]
    pub machine: Machine,
    pub pid: u32,
    /// When the kernel started the process (`/proc/PID/stat` field 22, in
    /// clock ticks since boot): a reused pid has another.
    pub start_ticks: u64,
}

/// What an entry's holder is, seen from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Its process runs on this machine: the job is not cut off.
    Running,
    /// Its process is gone (ended, killed, or the machine rebooted).
    Gone,
    /// Another machine's: only there can anyone tell whether it runs.
    OtherMachine,
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

impl Machine {
    /// This machine, read once.
    pub fn this() -> &'static Machine {
        static THIS: OnceLock<Machine> = OnceLock::new();
        THIS.get_or_init(|| Machine {
            host: read_trimmed("/proc/sys/kernel/hostname"),
            machine_id: read_trimmed("/etc/machine-id"),
            boot_id: read_trimmed("/proc/sys/kernel/random/boot_id"),
        })
    }

    fn is_other(&self, here: &Machine) -> bool {
        let known = |a: &str, b: &str| !a.is_empty() && !b.is_empty();
        self.host != here.host
            || (known(&self.machine_id, &here.machine_id) && self.machine_id != here.machine_id)
    }
}

/// Field 22 (start time) of a `/proc/PID/stat` line. The command name
/// (field 2) is in parentheses and may hold spaces and parentheses: the
/// fields are counted after its last `)`.
pub fn start_ticks_of(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    // Field 3 (the state) is the first after the name.
    rest.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// When process `pid` of this machine started, if it runs.
pub fn process_start(pid: u32) -> Option<u64> {
    start_ticks_of(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

impl Holder {
    /// This process.
    pub fn this_process() -> Holder {
        let pid = std::process::id();
        Holder {
            machine: Machine::this().clone(),
            pid,
            start_ticks: process_start(pid).unwrap_or(0),
        }
    }

    /// Seen from `here`, with `start_of` telling when a local pid started.
    pub fn liveness(&self, here: &Machine, start_of: impl Fn(u32) -> Option<u64>) -> Liveness {
        if self.machine.is_other(here) {
            return Liveness::OtherMachine;
        }
        if self.machine.boot_id != here.boot_id {
            return Liveness::Gone;
        }
        match start_of(self.pid) {
            Some(start) if start == self.start_ticks => Liveness::Running,
            Some(_) | None => Liveness::Gone,
        }
    }

    /// Seen from this machine, now.
    pub fn liveness_here(&self) -> Liveness {
        self.liveness(Machine::this(), process_start)
    }
}

/// A fresh job token from the kernel's random source.
pub fn random_token() -> std::io::Result<JobToken> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(JobToken::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(host: &str, boot: &str) -> Machine {
        Machine {
            host: host.into(),
            machine_id: "m-1".into(),
            boot_id: boot.into(),
        }
    }

    fn holder() -> Holder {
        Holder {
            machine: machine("bastion-a", "boot-1"),
            pid: 4242,
            start_ticks: 777,
        }
    }

    #[test]
    fn running_only_when_host_boot_pid_and_start_time_all_match() {
        let here = machine("bastion-a", "boot-1");
        let h = holder();
        assert_eq!(h.liveness(&here, |_| Some(777)), Liveness::Running);
        // The pid reused by a later process.
        assert_eq!(h.liveness(&here, |_| Some(778)), Liveness::Gone);
        assert_eq!(h.liveness(&here, |_| None), Liveness::Gone);
        // Rebooted since: whatever runs under that pid now is not it.
        let rebooted = machine("bastion-a", "boot-2");
        assert_eq!(h.liveness(&rebooted, |_| Some(777)), Liveness::Gone);
    }

    #[test]
    fn another_machines_entry_is_never_taken_for_gone() {
        let h = holder();
        // Another bastion with the same home directory: its pid is not ours.
        let other = machine("bastion-b", "boot-9");
        assert_eq!(h.liveness(&other, |_| None), Liveness::OtherMachine);
        // A clone with the same host name but its own machine id.
        let clone = Machine {
            machine_id: "m-2".into(),
            ..machine("bastion-a", "boot-9")
        };
        assert_eq!(h.liveness(&clone, |_| None), Liveness::OtherMachine);
    }

    #[test]
    fn the_start_time_is_field_22_even_with_odd_command_names() {
        let tail = "S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21";
        assert_eq!(
            start_ticks_of(&format!("42 (tugboat) {tail}")),
            Some(987654)
        );
        assert_eq!(
            start_ticks_of(&format!("42 (a) b) (c ) {tail}")),
            Some(987654)
        );
        assert_eq!(start_ticks_of("42 (tugboat) S 1 2"), None);
        assert_eq!(start_ticks_of("garbage"), None);
        // This process is running, and found so.
        let me = Holder::this_process();
        assert!(me.start_ticks > 0);
        assert_eq!(me.liveness_here(), Liveness::Running);
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
