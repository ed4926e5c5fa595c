//! Word lists for customers: Indian given names and surnames, cities weighted toward the metros, e-mail
//! providers. ASCII only, so e-mail addresses can be derived from names directly.

pub(crate) const FEMALE_NAMES: [&str; 40] = [
    "Aadhya",
    "Aanya",
    "Ananya",
    "Anjali",
    "Anushka",
    "Aditi",
    "Bhavna",
    "Deepika",
    "Divya",
    "Gayatri",
    "Isha",
    "Ishita",
    "Jyoti",
    "Kavya",
    "Kavita",
    "Lakshmi",
    "Meera",
    "Neha",
    "Nisha",
    "Pooja",
    "Priya",
    "Radhika",
    "Riya",
    "Sakshi",
    "Sanya",
    "Saanvi",
    "Shreya",
    "Simran",
    "Sneha",
    "Sunita",
    "Swati",
    "Tanvi",
    "Trisha",
    "Vaishnavi",
    "Vidya",
    "Zoya",
    "Fatima",
    "Harpreet",
    "Mariam",
    "Nandini",
];

pub(crate) const MALE_NAMES: [&str; 40] = [
    "Aarav",
    "Abhishek",
    "Aditya",
    "Amit",
    "Anil",
    "Arjun",
    "Ayaan",
    "Deepak",
    "Dhruv",
    "Gaurav",
    "Harsh",
    "Ishaan",
    "Karan",
    "Kabir",
    "Krishna",
    "Manish",
    "Mohit",
    "Nikhil",
    "Pranav",
    "Rahul",
    "Rajesh",
    "Rohan",
    "Sahil",
    "Sanjay",
    "Siddharth",
    "Suresh",
    "Tushar",
    "Varun",
    "Vihaan",
    "Vikram",
    "Vivek",
    "Yash",
    "Imran",
    "Farhan",
    "Gurpreet",
    "Joseph",
    "Arnav",
    "Kunal",
    "Naveen",
    "Rakesh",
];

pub(crate) const SURNAMES: [&str; 48] = [
    "Sharma",
    "Verma",
    "Gupta",
    "Singh",
    "Kumar",
    "Patel",
    "Shah",
    "Mehta",
    "Iyer",
    "Iyengar",
    "Nair",
    "Menon",
    "Pillai",
    "Reddy",
    "Rao",
    "Naidu",
    "Chowdhury",
    "Banerjee",
    "Chatterjee",
    "Mukherjee",
    "Das",
    "Bose",
    "Ghosh",
    "Kapoor",
    "Malhotra",
    "Khanna",
    "Chopra",
    "Agarwal",
    "Jain",
    "Joshi",
    "Kulkarni",
    "Deshpande",
    "Patil",
    "Shinde",
    "Gill",
    "Sandhu",
    "Khan",
    "Siddiqui",
    "Qureshi",
    "Fernandes",
    "Thomas",
    "Mathew",
    "Hegde",
    "Shetty",
    "Kamath",
    "Srivastava",
    "Mishra",
    "Yadav",
];

/// Cities with relative weights: the eight metros carry about three quarters of customers, as they do for
/// most Indian consumer brands.
pub(crate) const CITIES: [(&str, u32); 32] = [
    ("Mumbai", 140),
    ("Delhi", 140),
    ("Bengaluru", 130),
    ("Hyderabad", 90),
    ("Chennai", 90),
    ("Kolkata", 80),
    ("Pune", 70),
    ("Ahmedabad", 50),
    ("Jaipur", 20),
    ("Lucknow", 18),
    ("Surat", 16),
    ("Kochi", 15),
    ("Chandigarh", 15),
    ("Indore", 14),
    ("Nagpur", 12),
    ("Bhopal", 10),
    ("Coimbatore", 10),
    ("Visakhapatnam", 10),
    ("Vadodara", 9),
    ("Patna", 9),
    ("Guwahati", 8),
    ("Bhubaneswar", 8),
    ("Mysuru", 8),
    ("Thiruvananthapuram", 8),
    ("Dehradun", 7),
    ("Ludhiana", 7),
    ("Nashik", 6),
    ("Madurai", 6),
    ("Raipur", 5),
    ("Ranchi", 5),
    ("Agra", 5),
    ("Vijayawada", 5),
];

/// E-mail providers with relative weights.
pub(crate) const EMAIL_DOMAINS: [(&str, u32); 8] = [
    ("gmail.com", 60),
    ("yahoo.co.in", 10),
    ("outlook.com", 8),
    ("hotmail.com", 5),
    ("rediffmail.com", 5),
    ("icloud.com", 4),
    ("yahoo.com", 4),
    ("proton.me", 2),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn lists_are_large_distinct_and_ascii() {
        let first: HashSet<_> = FEMALE_NAMES.iter().chain(&MALE_NAMES).collect();
        assert!(first.len() >= 60);
        assert!(SURNAMES.iter().collect::<HashSet<_>>().len() >= 40);
        assert!(CITIES.iter().map(|(c, _)| c).collect::<HashSet<_>>().len() >= 25);
        let words = first.iter().copied().chain(&SURNAMES);
        assert!(words
            .clone()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic())));
        assert!(CITIES
            .iter()
            .chain(&EMAIL_DOMAINS)
            .all(|&(_, weight)| weight > 0));
    }
}
