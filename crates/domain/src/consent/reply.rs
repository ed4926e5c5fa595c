//! SMS reply keywords: STOP and its synonyms opt a number out, START and UNSTOP opt it back in.

/// What an inbound SMS asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKeyword {
    Stop,
    Start,
}

const STOP_WORDS: [&str; 5] = ["STOP", "UNSUBSCRIBE", "END", "QUIT", "CANCEL"];
const START_WORDS: [&str; 2] = ["START", "UNSTOP"];

impl ReplyKeyword {
    /// The first keyword among the message's words (any case; other words around it are allowed: "Stop
    /// please", "pls STOP."). `None` for a message that names neither.
    pub fn parse(text: &str) -> Option<ReplyKeyword> {
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).find_map(|word| {
            let upper = word.to_uppercase();
            if STOP_WORDS.contains(&upper.as_str()) {
                Some(ReplyKeyword::Stop)
            } else if START_WORDS.contains(&upper.as_str()) {
                Some(ReplyKeyword::Start)
            } else {
                None
            }
        })
    }
}
