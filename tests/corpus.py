"""A small corpus written for Cairn's tests: documents a person might keep, and questions about them.

Each paraphrase query shares no content word with its target document, so only
search by meaning can find it; the test checks that property itself.
"""

from __future__ import annotations

from pathlib import Path

DOCS: dict[str, str] = {
    "sourdough.txt": "Feed the starter with flour and water every morning. Let the dough rise overnight in a cool "
    "kitchen, then bake it in a very hot oven until the crust turns dark brown.",
    "tax-return.txt": "The annual income declaration must be filed with the revenue office before the end of April. "
    "Attach receipts for deductible expenses such as childcare and charitable donations.",
    "ortho-notes.txt": "After the ligament reconstruction the patient should keep the leg elevated, apply ice, and "
    "begin physiotherapy exercises within two weeks to restore the range of motion.",
    "lease-agreement.txt": "The tenant pays the rent on the first day of each month. The landlord keeps the security "
    "deposit until the apartment is inspected at the end of the tenancy.",
    "python-packaging.md": "# Publishing a library\n\nBuild a wheel and an sdist, then upload both to the package "
    "index with twine. Pin versions of build dependencies in pyproject.toml.",
    "bird-migration.txt": "Every autumn, swallows fly thousands of kilometres south to Africa, navigating by the sun, "
    "the stars and the magnetic field of the earth.",
    "car-maintenance.txt": "Change the engine oil every ten thousand kilometres, check tyre pressure monthly and "
    "replace the brake pads when they squeal.",
    "wedding-plans.txt": "The ceremony takes place in the chapel at noon, followed by a reception with dinner and "
    "dancing at the lakeside hotel. Guests should confirm attendance by June.",
    "solar-panels.txt": "Photovoltaic modules on the roof convert sunlight into electricity; an inverter turns the "
    "direct current into alternating current for the household grid.",
    "job-interview.txt": "Prepare examples of past achievements, research the company, and send a thank-you note to "
    "the hiring manager after the meeting.",
    "vaccination.txt": "The immunisation schedule for infants includes doses against measles, mumps and rubella at "
    "twelve months, with a booster before starting school.",
    "coffee-brewing.txt": "Grind the beans coarsely for a French press, pour water just off the boil, steep for four "
    "minutes, then press the plunger slowly.",
    "mortgage.txt": "A fixed-rate home loan keeps the monthly repayment constant for the whole term, while a variable "
    "rate follows the central bank's base rate.",
    "chess-openings.txt": "The Sicilian Defence answers the king's pawn opening with c5, leading to sharp, "
    "asymmetrical positions favoured by aggressive players.",
    "houseplants.txt": "Succulents store moisture in their thick leaves, so water them sparingly and keep them on a "
    "bright windowsill.",
    "earthquake.txt": "Seismic waves released when tectonic plates slip can topple buildings; structures in "
    "exposed regions use flexible foundations and steel bracing.",
    "marathon-training.txt": "Increase the weekly mileage gradually, include one long run each Sunday, and taper "
    "during the final three weeks before the race.",
    "insomnia.txt": "Trouble falling asleep often improves with a fixed bedtime, a dark bedroom, no screens late in "
    "the evening and less caffeine after lunch.",
    "roman-history.txt": "Julius Caesar crossed the Rubicon in 49 BC, starting a civil war that ended the Republic "
    "and led to the rise of the Empire under Augustus.",
    "password-policy.txt": "Employees must use a credential manager, enable two-factor authentication and never "
    "reuse the same secret across different accounts.",
    "dog-training.txt": "Reward the puppy with treats immediately when it sits on command; short daily sessions "
    "work better than long ones.",
    "climate-report.txt": "Rising concentrations of carbon dioxide trap heat in the atmosphere, raising average "
    "global temperatures and sea levels.",
    "divorce-custody.txt": "The court decided that the children live with their mother during the school year and "
    "spend holidays with their father.",
    "invoice-dispute.txt": "The supplier billed us twice for the same shipment; accounting has asked them for a "
    "credit note to cancel the duplicate charge.",
    "knitting.txt": "Cast on sixty stitches with wool yarn, knit two rows, purl two rows, and repeat to make a "
    "ribbed scarf.",
    "volcano.txt": "Molten rock rises through the crust and erupts as lava, ash and gas; Vesuvius buried Pompeii in "
    "79 AD.",
    "diabetes-diet.txt": "People with high blood sugar should favour whole grains, vegetables and lean protein, and "
    "limit sweets and sugary drinks.",
    "moving-house.txt": "Book the removal van early, label every box by room, and redirect the post to the new "
    "address before the move.",
    "guitar-lessons.txt": "Practise the chord changes from G to C to D slowly with a metronome before strumming "
    "the full song.",
    "court-ruling.txt": "In case 2023-CV-04417 the judge dismissed the claim because the contract had expired before "
    "the alleged breach occurred.",
}

PARAPHRASES: list[tuple[str, str]] = [
    ("how do I make homemade loaves of leavened bread", "sourdough.txt"),
    ("recovering from an operation on a torn knee tendon", "ortho-notes.txt"),
    ("songbirds travelling to warmer continents for winter", "bird-migration.txt"),
    ("servicing my vehicle so it keeps running", "car-maintenance.txt"),
    ("rooftop energy generation from daylight", "solar-panels.txt"),
    ("shots for babies to prevent childhood diseases", "vaccination.txt"),
    ("borrowing money to buy a property", "mortgage.txt"),
    ("can't sleep at night, what helps", "insomnia.txt"),
    ("ancient Rome, the general who defied the senate", "roman-history.txt"),
    ("teaching a young pet obedience", "dog-training.txt"),
    ("planet warming greenhouse gases", "climate-report.txt"),
    ("which parent gets the kids after separation", "divorce-custody.txt"),
    ("a vendor charged my firm two times by mistake", "invoice-dispute.txt"),
    ("food choices for diabetics", "diabetes-diet.txt"),
    ("relocating to a different home, checklist", "moving-house.txt"),
]

IDENTIFIER_QUERY = ("2023-CV-04417", "court-ruling.txt")


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder
