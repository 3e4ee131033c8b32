//! What the user asks of a container (start, stop, kill, pause, unpause,
//! remove), below the plans that do it and the plans' own vocabulary
//! (`plan_kind`) that names it.

use crate::model::container::ContainerState;

/// What the user asks of a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lifecycle {
    Start,
    Stop,
    Kill,
    Pause,
    Unpause,
    Remove,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 6] = [
        Self::Start,
        Self::Stop,
        Self::Kill,
        Self::Pause,
        Self::Unpause,
        Self::Remove,
    ];

    pub fn verb(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::Kill => "kill",
            Self::Pause => "pause",
            Self::Unpause => "unpause",
            Self::Remove => "remove",
        }
    }

    /// Whether it takes a running container out of service, so the
    /// cluster's guards apply.
    pub fn takes_down(self) -> bool {
        match self {
            Self::Stop | Self::Kill | Self::Pause | Self::Remove => true,
            Self::Start | Self::Unpause => false,
        }
    }

    /// Why a container in `state` is left out, or None when it applies.
    pub fn left_out(self, state: ContainerState) -> Option<&'static str> {
        use ContainerState as S;
        match (self, state) {
            (_, S::Removing) => Some("is being removed"),
            (Self::Start, S::Running | S::Restarting) => Some("already runs"),
            (Self::Start, S::Paused) => Some("is paused: unpause it instead"),
            (Self::Start, S::Created | S::Exited | S::Dead | S::Unknown) => None,
            (Self::Stop | Self::Kill, S::Running | S::Restarting | S::Paused) => None,
            (Self::Stop | Self::Kill, S::Created | S::Exited | S::Dead | S::Unknown) => {
                Some("does not run")
            }
            (Self::Pause, S::Running) => None,
            (Self::Pause, S::Paused) => Some("is paused already"),
            (Self::Pause, S::Restarting | S::Created | S::Exited | S::Dead | S::Unknown) => {
                Some("does not run")
            }
            (Self::Unpause, S::Paused) => None,
            (
                Self::Unpause,
                S::Running | S::Restarting | S::Created | S::Exited | S::Dead | S::Unknown,
            ) => Some("is not paused"),
            (Self::Remove, _) => None,
        }
    }
}
