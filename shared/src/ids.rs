//! Typed identifiers that cross crate boundaries, so a queue id is never mistaken for a site id.
//! Each is a transparent string on the wire.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A site, as named in its config's `site.id` and the script tag's `data-site`.
    SiteId
);
string_id!(
    /// A conversation; minted by the edge when the customer starts one.
    ConversationId
);
string_id!(
    /// A human queue from the config's `routing.queues`.
    QueueId
);
string_id!(
    /// A human agent, as signed in to the inbox or known to a helpdesk.
    AgentId
);
string_id!(
    /// A trigger: built-in ones are `human_request`, `billing_dispute`, `legal_compliance`,
    /// `cancellation`; sites may add their own.
    TriggerId
);
string_id!(
    /// An escalation category (billing, legal, account, general, ...); routing maps it to a queue.
    Category
);
