//! A failover's last check before its promotion: no other replica got
//! further than the candidate. The plan chose the candidate from probes a
//! moment old, and a replica still reading the dead primary's last events
//! can end one transaction ahead; promoted, the candidate could never be
//! its source (MariaDB 1236: "requested GTID … not in the master's
//! binlog"). Asked of every server now, received and applied both.

use super::run_db::{query, received_position};
use crate::docker::HostHandle;
use crate::ops::base::db_sql::{
    gtid_subtract_sql, DbFlavor, GtidSyntax, MariadbGtidList, MysqlGtidSet, UnfitGtid,
};
use crate::ops::base::db_topology::DbMember;
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};

/// What another replica has that the candidate lacks, as shown.
struct Further {
    name: String,
    has: String,
    candidate_at: String,
}

/// Ok when none of `others` received or applied a transaction that
/// `candidate` (caught up by the step before) lacks.
pub(crate) async fn guard_furthest(
    steps: &DockerSteps,
    candidate: &DbMember,
    others: &[DbMember],
    flavor: DbFlavor,
) -> StepResult {
    let at = steps.host(&candidate.host)?;
    let mut further: Vec<Further> = Vec::new();
    for other in others {
        let h = steps.host(&other.host)?;
        let found = match flavor {
            DbFlavor::Mariadb => mariadb_further(steps, (at, candidate), (h, other)).await,
            DbFlavor::Mysql => mysql_further(steps, (at, candidate), (h, other)).await,
        };
        match found {
            Ok(Some(f)) => further.push(f),
            Ok(None) => {}
            Err(e) => {
                return Err(StepError::Refused(format!(
                    "refused: {} did not say how far it got ({e}): whether it is ahead of {} is \
                     not known; nothing was promoted",
                    other.name, candidate.name
                )))
            }
        }
    }
    let Some(first) = further.first() else {
        return Ok(());
    };
    let said: Vec<String> = further
        .iter()
        .map(|f| format!("{} has {}", f.name, f.has))
        .collect();
    Err(StepError::Refused(format!(
        "refused: {} got further than {} ({}; {} is at {}): promoted, {} could not be its \
         source; nothing was promoted — fail over to {} instead (planned again, the furthest \
         replica is chosen)",
        first.name,
        candidate.name,
        said.join("; "),
        candidate.name,
        first.candidate_at,
        candidate.name,
        first.name
    )))
}

type Server<'a> = (&'a HostHandle, &'a DbMember);

/// A position a server stated, parsed, or a refusal naming it.
fn parsed<T>(
    text: &str,
    who: &DbMember,
    what: &'static str,
    parse: impl Fn(&str) -> Result<T, GtidSyntax>,
) -> Result<T, StepError> {
    parse(text.trim()).map_err(|why| UnfitGtid::new(&who.name, what, text, why).into())
}

async fn mariadb_further(
    steps: &DockerSteps,
    candidate: Server<'_>,
    other: Server<'_>,
) -> Result<Option<Further>, StepError> {
    let s = steps.settings();
    let applied_sql = "SELECT @@global.gtid_slave_pos";
    let text = query(candidate.0, s, &candidate.1.id, applied_sql).await?;
    let at = parsed(
        &text,
        candidate.1,
        "applied GTID position",
        MariadbGtidList::parse,
    )?;
    let text = query(other.0, s, &other.1.id, applied_sql).await?;
    let applied = parsed(
        &text,
        other.1,
        "applied GTID position",
        MariadbGtidList::parse,
    )?;
    let text = received_position(other.0, s, &other.1.id, DbFlavor::Mariadb).await?;
    let got = parsed(
        &text,
        other.1,
        "received GTID position",
        MariadbGtidList::parse,
    )?;
    let has = applied.merged(&got);
    if has.beyond(&at).is_empty() {
        return Ok(None);
    }
    Ok(Some(Further {
        name: other.1.name.clone(),
        has: has.to_string(),
        candidate_at: at.to_string(),
    }))
}

async fn mysql_further(
    steps: &DockerSteps,
    candidate: Server<'_>,
    other: Server<'_>,
) -> Result<Option<Further>, StepError> {
    let s = steps.settings();
    let text = query(other.0, s, &other.1.id, "SELECT @@global.gtid_executed").await?;
    let executed = parsed(&text, other.1, "executed GTID set", MysqlGtidSet::parse)?;
    let text = received_position(other.0, s, &other.1.id, DbFlavor::Mysql).await?;
    let retrieved = parsed(&text, other.1, "retrieved GTID set", MysqlGtidSet::parse)?;
    // What of each the candidate has not executed, asked of the candidate
    // (only parsed sets go into its SQL).
    let mut lacks: Vec<String> = Vec::new();
    for set in [executed, retrieved] {
        let text = query(candidate.0, s, &candidate.1.id, &gtid_subtract_sql(&set)).await?;
        let left = parsed(
            &text,
            candidate.1,
            "GTID_SUBTRACT answer",
            MysqlGtidSet::parse,
        )?;
        if !left.0.is_empty() {
            lacks.push(left.to_string());
        }
    }
    if lacks.is_empty() {
        return Ok(None);
    }
    let text = query(
        candidate.0,
        s,
        &candidate.1.id,
        "SELECT @@global.gtid_executed",
    )
    .await?;
    Ok(Some(Further {
        name: other.1.name.clone(),
        has: format!("{} it lacks", lacks.join(",")),
        candidate_at: parsed(&text, candidate.1, "executed GTID set", MysqlGtidSet::parse)?
            .to_string(),
    }))
}
