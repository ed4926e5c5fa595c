//! Text-valued domain types as database columns (with the `sqlx` feature, which the store turns on): a row
//! decodes straight into [`Gender`], [`Channel`], [`Currency`], [`Role`] or a campaign's or message's status
//! and channel, and a stored value that no longer parses is
//! a decode error naming it, never a string passed along for someone else to re-parse.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::campaign::{CampaignStatus, DeliveryStatus, ReceiptStatus, SendChannel};
use crate::consent::{ConsentSource, SubscriptionStatus};
use crate::fields::{Channel, Gender};
use crate::money::Currency;
use crate::role::Role;

/// `Type`, `Decode` and `Encode` on every backend by way of the column's text: `parse` reads it back,
/// `text` writes the canonical form.
macro_rules! text_column {
    ($ty:ty, $parse:path, |$value:ident| $text:expr) => {
        impl<DB: Database> Type<DB> for $ty
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&'r str as Decode<'r, DB>>::decode(value)?;
                $parse(text).map_err(|e| format!("stored {} `{text}`: {e}", stringify!($ty)).into())
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $ty
        where
            &'static str: Encode<'q, DB>,
        {
            fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                let $value = self;
                <&'static str as Encode<'q, DB>>::encode($text, buf)
            }
        }
    };
}

text_column!(Gender, Gender::parse, |gender| gender.as_str());
text_column!(Channel, Channel::parse, |channel| channel.as_str());
text_column!(Currency, Currency::parse, |currency| currency.code());
text_column!(Role, Role::parse, |role| role.as_str());
text_column!(CampaignStatus, CampaignStatus::parse, |status| status.as_str());
text_column!(SendChannel, SendChannel::parse, |channel| channel.as_str());
text_column!(DeliveryStatus, DeliveryStatus::parse, |status| status.as_str());
text_column!(ReceiptStatus, ReceiptStatus::parse, |status| status.as_str());
text_column!(SubscriptionStatus, SubscriptionStatus::parse, |status| status.as_str());
text_column!(ConsentSource, ConsentSource::parse, |source| source.as_str());
