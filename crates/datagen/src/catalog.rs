//! A small product catalogue of an Indian omnichannel retailer, sorted by price, from which order lines are
//! drawn. Prices are whole rupees, and the dearest item is below the ₹50,000 order cap.

/// One product: SKU, display name, unit price in whole rupees.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Product {
    pub sku: &'static str,
    pub name: &'static str,
    pub rupees: i64,
}

const fn product(sku: &'static str, name: &'static str, rupees: i64) -> Product {
    Product { sku, name, rupees }
}

/// The catalogue, sorted by ascending price (a test checks it).
pub(crate) const PRODUCTS: [Product; 40] = [
    product("SKU-GIFT-WRAP", "Gift wrap", 99),
    product("SKU-SOCKS-3", "Cotton socks (3 pairs)", 149),
    product("SKU-HANKY-6", "Handkerchiefs (6)", 199),
    product("SKU-BINDI-SET", "Bindi set", 249),
    product("SKU-LIPBALM", "Tinted lip balm", 299),
    product("SKU-DIARY", "Handmade paper diary", 349),
    product("SKU-TEE-BASIC", "Basic crew-neck T-shirt", 399),
    product("SKU-MUG-BRASS", "Brass-finish chai mug", 449),
    product("SKU-KAJAL", "Kajal and eyeliner duo", 499),
    product("SKU-DUPATTA", "Printed cotton dupatta", 599),
    product("SKU-CUSHION", "Block-print cushion cover", 699),
    product("SKU-FACE-SERUM", "Vitamin C face serum", 799),
    product("SKU-KURTA-COT", "Cotton kurta", 899),
    product("SKU-EARRINGS", "Oxidised silver earrings", 999),
    product("SKU-BEDSHEET", "Jaipuri double bedsheet", 1199),
    product("SKU-JEANS", "Slim-fit jeans", 1499),
    product("SKU-KURTI-SET", "Kurti with palazzo set", 1699),
    product("SKU-SNEAKERS", "Canvas sneakers", 1999),
    product("SKU-EARBUDS", "Wireless earbuds", 2299),
    product("SKU-PERFUME", "Attar perfume 50 ml", 2499),
    product("SKU-HANDBAG", "Leather handbag", 2999),
    product("SKU-SHERWANI-S", "Nehru jacket", 3499),
    product("SKU-SMARTBAND", "Fitness band", 3999),
    product("SKU-SAREE-COT", "Handloom cotton saree", 4499),
    product("SKU-DINNER-SET", "Stoneware dinner set", 4999),
    product("SKU-MIXER", "Mixer grinder 750 W", 5999),
    product("SKU-WATCH", "Analogue wristwatch", 6999),
    product("SKU-SPEAKER", "Bluetooth speaker", 7999),
    product("SKU-SAREE-SILK", "Banarasi silk saree", 9999),
    product("SKU-LEHENGA", "Festive lehenga", 12999),
    product("SKU-AIR-FRYER", "Air fryer", 14999),
    product("SKU-SMARTWATCH", "Smartwatch", 17999),
    product("SKU-TABLET", "10-inch tablet", 21999),
    product("SKU-GOLD-COIN", "22K gold coin 2 g", 24999),
    product("SKU-PHONE-MID", "Mid-range smartphone", 27999),
    product("SKU-TV-43", "43-inch smart TV", 32999),
    product("SKU-SHERWANI", "Wedding sherwani", 36999),
    product("SKU-LAPTOP", "Thin-and-light laptop", 42999),
    product("SKU-BRIDAL-SET", "Bridal kundan jewellery set", 46999),
    product("SKU-PHONE-PRO", "Flagship smartphone", 49999),
];

/// The product whose price is closest to `target_rupees` (cheapest if below the catalogue, dearest if
/// above), so a log-normal target gives a log-normal-ish basket.
pub(crate) fn closest_product(target_rupees: f64) -> Product {
    let index = PRODUCTS.partition_point(|p| (p.rupees as f64) < target_rupees);
    match (index.checked_sub(1).and_then(|i| PRODUCTS.get(i)), PRODUCTS.get(index)) {
        (Some(below), Some(above)) => {
            if target_rupees - below.rupees as f64 <= above.rupees as f64 - target_rupees {
                *below
            } else {
                *above
            }
        }
        (Some(only), None) | (None, Some(only)) => *only,
        (None, None) => PRODUCTS[0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_sorted_and_within_the_order_range() {
        assert!(PRODUCTS.windows(2).all(|w| w[0].rupees < w[1].rupees));
        assert!(PRODUCTS.iter().all(|p| (99..=50_000).contains(&p.rupees)));
        assert_eq!(PRODUCTS[0].rupees, 99);
    }

    #[test]
    fn closest_product_snaps_to_prices() {
        assert_eq!(closest_product(0.0).rupees, 99);
        assert_eq!(closest_product(1_000_000.0).rupees, 49_999);
        assert_eq!(closest_product(1000.0).rupees, 999);
        assert_eq!(closest_product(1400.0).rupees, 1499);
    }
}
