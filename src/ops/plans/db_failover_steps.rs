//! The steps of a switchover or failover, phase by phase, in the order
//! they run (src/ops/plans/db_failover.rs decides who is primary, candidate and
//! what is left out; this says what is done to each).

use crate::ops::base::db_cluster::{
    DbCluster, DbNode, FailoverKind, RejoinPair, Sides, WriterBackend, DB_PORT,
};
use crate::ops::base::db_sql::{DbFlavor, DbStatement};
use crate::ops::base::db_topology::{DbMember, TopologyGuard};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use crate::ops::kernel::plan::{BalancerStep, DbStep, Step, StepOp};
use crate::ops::steps::db_fence::FenceAction;

/// How long a candidate may take to apply what it has to.
const CATCH_UP_SECS: u64 = 60;
/// How long a balancer change may take to show in `show stat`.
const SETTLE_SECS: u64 = 10;
/// How long the fence's lock session lives at most past its wait: past the
/// catch-up, the promotion and the writers' move (the old primary is
/// released right after), short enough that a tugboat killed
/// mid-switchover does not leave the old primary locked for long.
const FENCE_HOLD_SECS: u64 = CATCH_UP_SECS * 2 + 30;

/// A plan being built, phase by phase.
pub(crate) struct Phases<'a> {
    c: &'a DbCluster,
    primary: &'a DbNode,
    candidate: &'a DbNode,
    flavor: DbFlavor,
    kind: FailoverKind,
    steps: Vec<Step>,
    notes: Vec<String>,
}

fn member(n: &DbNode) -> DbMember {
    DbMember {
        host: n.host.clone(),
        id: n.id.clone(),
        name: n.name.clone(),
    }
}

impl<'a> Phases<'a> {
    pub fn new(
        c: &'a DbCluster,
        primary: &'a DbNode,
        candidate: &'a DbNode,
        flavor: DbFlavor,
        kind: FailoverKind,
    ) -> Self {
        Self {
            c,
            primary,
            candidate,
            flavor,
            kind,
            steps: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn finish(self) -> (Vec<Step>, Vec<String>) {
        (self.steps, self.notes)
    }

    fn switchover(&self) -> bool {
        self.kind == FailoverKind::Switchover
    }

    fn exec(&self, n: &DbNode, what: String, statement: DbStatement) -> Step {
        Step::new(
            what,
            StepOp::Db(DbStep::Exec {
                container_id: n.id.clone(),
                flavor: self.flavor,
                statement,
            }),
        )
        .on(&n.host)
    }

    fn fence(&self, what: String, action: FenceAction) -> Step {
        Step::new(
            what,
            StepOp::Db(DbStep::Fence {
                container_id: self.primary.id.clone(),
                flavor: self.flavor,
                action,
            }),
        )
        .on(&self.primary.host)
    }

    fn role(&self, n: &DbNode, writable: bool) -> Step {
        let role = if writable { "writable" } else { "read-only" };
        Step::new(
            format!("write {}'s role ({role}) where a restart reads it", n.name),
            StepOp::Db(DbStep::PersistRole {
                container_id: n.id.clone(),
                flavor: self.flavor,
                writable,
            }),
        )
        .on(&n.host)
    }

    /// Before anything changes: every server asked where it replicates
    /// from now.
    pub fn ask_every_server_now(&mut self, sides: &Sides) {
        let mut primary_names = vec![self.primary.name.clone()];
        primary_names.extend(self.primary.ips.iter().cloned());
        let followers: Vec<DbMember> = sides
            .replicas
            .iter()
            .filter(|n| n.alive().is_some())
            .map(|n| member(n))
            .collect();
        let left_out: Vec<DbMember> = sides.left_out.iter().map(|(n, _)| member(n)).collect();
        self.notes
            .extend(sides.left_out.iter().map(|(_, why)| why.clone()));
        let names: Vec<&str> = followers.iter().map(|m| m.name.as_str()).collect();
        let what = format!(
            "ask every server where it replicates from now: {} from {}{}{} (else stop, nothing changed)",
            if names.is_empty() { "none".into() } else { names.join(", ") },
            self.primary.name,
            if left_out.is_empty() { "" } else { ", none else" },
            if self.switchover() {
                format!(", {} writable", self.primary.name)
            } else {
                String::new()
            }
        );
        self.steps.push(
            Step::new(
                what,
                StepOp::Db(DbStep::GuardTopology(TopologyGuard {
                    primary: member(self.primary),
                    primary_names,
                    primary_alive: self.switchover(),
                    followers,
                    left_out,
                })),
            )
            .on(&self.primary.host),
        );
    }

    /// The first step. A switchover finds the account the old primary will
    /// replicate with (before anything changes, so a cluster without one
    /// stops here); a failover checks again that the old primary is down.
    pub fn keep_the_account_or_check_gone(&mut self, sides: &Sides, stated_gone: bool) {
        let (primary, candidate) = (self.primary, self.candidate);
        if !self.switchover() {
            // The plan was made from probes a moment old: asked again now.
            let why = if stated_gone {
                "stated gone for good"
            } else {
                "its container stopped"
            };
            self.steps.push(
                Step::new(
                    format!("check that {} is still down ({why})", primary.name),
                    StepOp::Db(DbStep::GuardGone {
                        container_id: primary.id.clone(),
                        stated: stated_gone,
                    }),
                )
                .on(&primary.host),
            );
            return;
        }
        let mut donors: Vec<(String, String)> = Vec::new();
        let answering = sides
            .replicas
            .iter()
            .copied()
            .filter(|r| r.alive().is_some());
        for n in [primary, candidate].into_iter().chain(answering) {
            let d = (n.host.clone(), n.id.clone());
            if !donors.contains(&d) {
                donors.push(d);
            }
        }
        self.steps.push(
            Step::new(
                format!(
                    "find the replication account {} will connect with (an environment's, else a replica's stored settings; kept in memory only)",
                    primary.name
                ),
                StepOp::Db(DbStep::KeepAccount {
                    cluster: self.c.name.clone(),
                    flavor: self.flavor,
                    donors,
                }),
            )
            .on(&primary.host),
        );
    }

    /// Every writer backend's servers other than the candidate's to
    /// maintenance (a switchover stopped before the promotion gives them
    /// back; a failover's stay).
    pub fn writes_stop(&mut self, no_balancer: bool) -> PlanResult<()> {
        let candidate = self.candidate;
        for w in &self.c.writers {
            if !w.servers.iter().any(|s| s.member == Some(candidate.key())) {
                return Err(PlanError::NotFound(format!(
                    "writer backend {} on {} has no server for {}",
                    w.backend, w.container, candidate.name
                )));
            }
            let others = w
                .servers
                .iter()
                .filter(|s| s.member != Some(candidate.key()) && s.status != "MAINT");
            for s in others {
                let why = if self.switchover() {
                    "writes stop"
                } else {
                    "fence the old primary"
                };
                let [set, wait] = server_steps(w, &s.name, ServerState::Maint, why);
                let set = if self.switchover() {
                    let name = format!("{}/{}", w.backend, s.name);
                    set.undone_by(
                        Step::new(
                            format!(
                                "{name} → ready again on {} (the switchover stopped)",
                                w.container
                            ),
                            StepOp::Balancer(BalancerStep::Command {
                                container_id: w.container_id.clone(),
                                socket: w.socket.clone(),
                                command: RuntimeCommand::SetState {
                                    on: ServerRef::new(&w.backend, &s.name),
                                    state: ServerState::Ready,
                                },
                            }),
                        )
                        .on(&w.host),
                    )
                } else {
                    set
                };
                self.steps.extend([set, wait]);
            }
        }
        if self.c.writers.is_empty() {
            if !no_balancer {
                return Err(PlanError::Refused(format!(
                    "no HAProxy writer backend sends {}'s writes (none labelled io.tugboat.writer-backend, none with only \
                     the primary in service): promoting {} would leave the writers on the old primary — \
                     pass --no-balancer to go on and point them at it yourself",
                    self.c.name, candidate.name
                )));
            }
            self.notes.push(format!(
                "no HAProxy writer backend lists {}'s servers: point writers at {} yourself",
                self.c.name, candidate.name
            ));
        }
        Ok(())
    }

    /// The fence (a switchover), the candidate catching up, the fence
    /// checked (a switchover) or no other replica found further (a
    /// failover), the promotion (the point of no return) and the
    /// candidate's role written.
    pub fn fence_and_hand_over(&mut self, sides: &Sides, fence_wait_secs: u64) {
        let (primary, candidate) = (self.primary, self.candidate);
        if self.switchover() {
            let how = match self.flavor {
                DbFlavor::Mariadb => "read-only and a global read lock, which bind admin users too",
                DbFlavor::Mysql => "super_read_only, which binds admin users too",
            };
            let raise = self.fence(
                format!(
                    "fence the primary {}: {how}; every other client session killed (waiting up to {fence_wait_secs}s for running statements); checked",
                    primary.name
                ),
                FenceAction::Raise {
                    hold_secs: FENCE_HOLD_SECS + fence_wait_secs,
                    wait_secs: fence_wait_secs,
                },
            );
            let lift = self.fence(
                format!(
                    "lift the fence on {}: lock released, writable again (the switchover stopped)",
                    primary.name
                ),
                FenceAction::Release { writable: true },
            );
            self.steps.push(raise.undone_by(lift));
        }
        let (source, catch_up) = if self.switchover() {
            (
                Some((primary.host.clone(), primary.id.clone())),
                format!(
                    "wait until {} applied {}'s GTID position (≤{CATCH_UP_SECS}s)",
                    candidate.name, primary.name
                ),
            )
        } else {
            (
                None,
                format!(
                    "wait until {} applied all it received (≤{CATCH_UP_SECS}s)",
                    candidate.name
                ),
            )
        };
        self.steps.push(
            Step::new(
                catch_up,
                StepOp::Db(DbStep::CatchUp {
                    container_id: candidate.id.clone(),
                    flavor: self.flavor,
                    source,
                    timeout_secs: CATCH_UP_SECS,
                }),
            )
            .on(&candidate.host),
        );
        if self.switchover() {
            let check = self.fence(
                format!("check that the fence on {} still holds", primary.name),
                FenceAction::Check,
            );
            self.steps.push(check);
        } else {
            self.none_got_further(sides);
        }
        let promote = self.exec(
            candidate,
            format!("promote {}: replication reset, writable", candidate.name),
            DbStatement::Promote,
        );
        self.steps.push(promote.point_of_no_return());
        let role = self.role(candidate, true);
        self.steps.push(role);
    }

    /// A failover: every other live replica asked how far it got, right
    /// before the promotion. In a switchover none can be ahead: the
    /// candidate applied the fenced primary's own position.
    fn none_got_further(&mut self, sides: &Sides) {
        let candidate = self.candidate;
        let others: Vec<DbMember> = sides
            .replicas
            .iter()
            .filter(|n| n.key() != candidate.key() && n.alive().is_some())
            .map(|n| member(n))
            .collect();
        if others.is_empty() {
            return;
        }
        let names: Vec<&str> = others.iter().map(|m| m.name.as_str()).collect();
        self.steps.push(
            Step::new(
                format!(
                    "check that no other replica got further than {} ({}: received and applied, asked now)",
                    candidate.name,
                    names.join(", ")
                ),
                StepOp::Db(DbStep::GuardFurthest {
                    candidate: member(candidate),
                    others,
                    flavor: self.flavor,
                }),
            )
            .on(&candidate.host),
        );
    }

    /// The candidate's server in every writer backend made ready.
    pub fn writes_resume(&mut self) {
        let candidate = self.candidate;
        for w in &self.c.writers {
            let mine = w
                .servers
                .iter()
                .filter(|s| s.member == Some(candidate.key()));
            for s in mine {
                self.steps.extend(server_steps(
                    w,
                    &s.name,
                    ServerState::Ready,
                    "writes resume",
                ));
            }
        }
    }

    /// A switchover's old primary, right after the writers moved and while
    /// its fence still holds: released (read-only kept), shown to hold
    /// nothing the new primary lacks (a fence that lapsed would have let
    /// queued writes commit there), then a replica of the new primary. A
    /// failover's is down: a note.
    pub fn old_primary_follows(&mut self) {
        let (primary, candidate) = (self.primary, self.candidate);
        if !self.switchover() {
            self.notes.push(format!(
                "the old primary {} is {}: left out of the writer backend; make it a replica of {} before it serves again",
                primary.name,
                primary.unreachable_reason(),
                candidate.name
            ));
            return;
        }
        let release = self.fence(
            format!(
                "release the lock on {} (it stays read-only; sessions queued behind it killed first)",
                primary.name
            ),
            FenceAction::Release { writable: false },
        );
        let compare = Step::new(
            format!(
                "compare {}'s transactions with {}'s: stop if it holds writes the new primary lacks",
                primary.name, candidate.name
            ),
            StepOp::Db(DbStep::RejoinCheck {
                pair: RejoinPair {
                    server_id: primary.id.clone(),
                    primary_host: candidate.host.clone(),
                    primary_id: candidate.id.clone(),
                },
                flavor: self.flavor,
            }),
        )
        .on(&primary.host);
        let follow = self.exec(
            primary,
            format!(
                "old primary {}: replicate from {} (GTID, read-only)",
                primary.name, candidate.name
            ),
            DbStatement::ReplicateFrom {
                source_host: candidate.peer_name().to_string(),
                source_port: DB_PORT,
                from_own_binlog: true,
                account_of: Some(self.c.name.clone()),
            },
        );
        let role = self.role(primary, false);
        self.steps.extend([release, compare, follow, role]);
    }

    /// Runtime states go with a reload or restart of the balancer: the
    /// file says who writes from now on.
    pub fn write_the_writer_into_haproxy_cfg(&mut self) {
        let candidate = self.candidate;
        for w in &self.c.writers {
            let servers: Vec<(String, bool)> = w
                .servers
                .iter()
                .filter(|s| s.member.is_some())
                .map(|s| (s.name.clone(), s.member == Some(candidate.key())))
                .collect();
            self.steps.push(
                Step::new(
                    format!(
                        "write {} as the only writer into {}'s haproxy.cfg (checked with haproxy -c, then renamed), so a reload keeps it",
                        candidate.name, w.container
                    ),
                    StepOp::Balancer(BalancerStep::PersistServers {
                        container_id: w.container_id.clone(),
                        backend: w.backend.clone(),
                        servers,
                    }),
                )
                .on(&w.host),
            );
        }
    }

    /// The other replicas repointed (those down named in the notes), then
    /// every follower, the old primary last, waited for.
    pub fn replicas_follow(&mut self, sides: &Sides) {
        let candidate = self.candidate;
        let mut followers: Vec<&DbNode> = Vec::new();
        for r in sides.replicas.iter().filter(|n| n.key() != candidate.key()) {
            if r.alive().is_none() {
                self.notes.push(format!(
                    "{} is {}: not repointed; make it a replica of {} when it is back",
                    r.name,
                    r.unreachable_reason(),
                    candidate.name
                ));
                continue;
            }
            let follow = self.exec(
                r,
                format!(
                    "replica {}: replicate from {} (GTID, read-only)",
                    r.name, candidate.name
                ),
                DbStatement::ReplicateFrom {
                    source_host: candidate.peer_name().to_string(),
                    source_port: DB_PORT,
                    from_own_binlog: false,
                    account_of: None,
                },
            );
            let role = self.role(r, false);
            self.steps.extend([follow, role]);
            followers.push(r);
        }
        if self.switchover() {
            followers.push(self.primary);
        }
        for n in followers {
            self.steps.push(
                Step::new(
                    format!("wait until {} replicates from {}", n.name, candidate.name),
                    StepOp::Db(DbStep::WaitReplicating {
                        container_id: n.id.clone(),
                        source_host: candidate.peer_name().to_string(),
                        timeout_secs: CATCH_UP_SECS,
                    }),
                )
                .on(&n.host),
            );
        }
    }
}

/// Set one writer-backend server's state (maint also shuts its sessions, so
/// no client keeps writing on an open connection), then wait until it shows.
fn server_steps(w: &WriterBackend, server: &str, state: ServerState, why: &str) -> [Step; 2] {
    let on = ServerRef::new(&w.backend, server);
    let name = on.to_string();
    let want = state.shows_as();
    let command = match state {
        ServerState::Maint => RuntimeCommand::MaintAndShutSessions { on },
        ServerState::Ready | ServerState::Drain => RuntimeCommand::SetState { on, state },
    };
    let state = state.as_str();
    [
        Step::new(
            format!("{name} → {state} on {} ({why})", w.container),
            StepOp::Balancer(BalancerStep::Command {
                container_id: w.container_id.clone(),
                socket: w.socket.clone(),
                command,
            }),
        )
        .on(&w.host),
        Step::new(
            format!("wait until {name} shows {}", want.join(" or ")),
            StepOp::Balancer(BalancerStep::WaitStatus {
                container_id: w.container_id.clone(),
                backend: w.backend.clone(),
                server: server.into(),
                want,
                timeout_secs: SETTLE_SECS,
            }),
        )
        .on(&w.host),
    ]
}
