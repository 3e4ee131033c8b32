//! A database server's role written where a restart reads it, so a
//! switchover's outcome survives the restart of any server: a former
//! primary (and every replica) comes back read-only, the new primary
//! writable. MariaDB: an option file in /etc/mysql/conf.d (read by the
//! official image's server and Debian's), written through the engine's
//! archive API, since the server's own user may not write there. MySQL
//! 8.4: `SET PERSIST`.

use super::run_db::change;
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::ops::base::db_sql::DbFlavor;
use crate::ops::base::error::StepResult;

/// Sorts last among the image's option files, so its word is final.
pub const ROLE_FILE: &str = "/etc/mysql/conf.d/zz-tugboat-role.cnf";

/// The option file for a server that is writable or read-only.
pub fn role_file(writable: bool) -> String {
    let state = if writable { "OFF" } else { "ON" };
    format!(
        "# Written by tugboat at a switchover: this server's role after a restart.\n\
         [mysqld]\nread_only={state}\n"
    )
}

pub(crate) async fn persist_role(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    writable: bool,
) -> StepResult {
    match flavor {
        DbFlavor::Mariadb => {
            let file = (ROLE_FILE.to_string(), role_file(writable));
            Ok(handle.upload_files(id, &[file]).await?)
        }
        DbFlavor::Mysql => {
            let sql = if writable {
                "SET PERSIST super_read_only=OFF; SET PERSIST read_only=OFF"
            } else {
                "SET PERSIST read_only=ON; SET PERSIST super_read_only=ON"
            };
            change(handle, settings, id, sql).await?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_file_says_read_only_or_not_for_the_server() {
        assert!(role_file(false).contains("[mysqld]\nread_only=ON\n"));
        assert!(role_file(true).contains("[mysqld]\nread_only=OFF\n"));
    }
}
