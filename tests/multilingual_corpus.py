"""Everyday files in German, French, Spanish, Japanese and Chinese, with questions they answer and ones they do not.

Used by tests/engine/test_answer_languages.py and benchmarks/answer_languages.py, beside the
English corpus of tests/corpus.py."""

from __future__ import annotations

FILES: dict[str, str] = {
    "mietvertrag.txt": (
        "Mietvertrag für die Wohnung in der Lindenstraße 12, Berlin\n\n"
        "Das Mietverhältnis beginnt am 1. März 2024 und läuft auf unbestimmte Zeit. "
        "Die monatliche Kaltmiete beträgt 850 Euro, dazu kommen 180 Euro Nebenkosten. "
        "Die Kaution beträgt 2.550 Euro und ist in drei Raten zu zahlen. "
        "Die Kaution wird nach dem Auszug innerhalb von sechs Monaten zurückgezahlt, "
        "sofern keine Schäden an der Wohnung festgestellt werden. "
        "Haustiere sind nur mit schriftlicher Zustimmung des Vermieters erlaubt.\n"
    ),
    "arztbrief.txt": (
        "Sehr geehrte Frau Kollegin,\n\n"
        "wir berichten über Herrn Weber, der sich am 14. Mai wegen anhaltender Rückenschmerzen vorstellte. "
        "Die Magnetresonanztomographie zeigte einen Bandscheibenvorfall zwischen dem vierten und fünften Lendenwirbel. "
        "Wir empfehlen zunächst Physiotherapie zweimal pro Woche für sechs Wochen. "
        "Eine Operation ist derzeit nicht erforderlich.\n"
    ),
    "recette-crepes.txt": (
        "Recette des crêpes de ma grand-mère\n\n"
        "Mélangez 250 grammes de farine avec quatre œufs et une pincée de sel. "
        "Ajoutez peu à peu un demi-litre de lait en fouettant pour éviter les grumeaux. "
        "Laissez reposer la pâte pendant une heure au réfrigérateur. "
        "Faites cuire chaque crêpe une minute de chaque côté dans une poêle beurrée.\n"
    ),
    "assurance-habitation.txt": (
        "Contrat d'assurance habitation\n\n"
        "En cas de dégât des eaux, l'assuré doit déclarer le sinistre dans un délai de cinq jours ouvrés. "
        "La franchise s'élève à 150 euros par sinistre. "
        "Les objets de valeur ne sont couverts que s'ils figurent dans l'inventaire annexé au contrat.\n"
    ),
    "viaje-lisboa.txt": (
        "Notas del viaje a Lisboa\n\n"
        "El vuelo sale de Madrid el viernes a las siete y media de la mañana. "
        "Hemos reservado un apartamento en el barrio de Alfama durante cuatro noches. "
        "El tranvía 28 recorre el centro histórico y conviene tomarlo temprano para evitar las colas.\n"
    ),
    "ごみの出し方.txt": (
        "ごみの出し方について\n\n"
        "燃えるごみは毎週月曜日と木曜日の朝八時までに出してください。"
        "ペットボトルはキャップとラベルを外してから資源ごみの日に出します。"
        "粗大ごみは事前に区役所へ電話で申し込む必要があります！"
        "分からないことがあれば管理人に聞いてください？\n"
    ),
    "租房合同.txt": (
        "租房合同\n\n"
        "押金为两个月的房租，共计八千元。"
        "租期结束后，房东应在十五天内退还押金。"
        "租客不得擅自转租房屋！\n"
    ),
}

# (question, the file whose sentence answers it): in the file's language, and in English about foreign files.
ANSWERED: list[tuple[str, str]] = [
    ("Wie hoch ist die Kaution für die Wohnung?", "mietvertrag.txt"),
    ("Wann bekomme ich die Kaution nach dem Auszug zurück?", "mietvertrag.txt"),
    ("Wie viel kostet die Miete im Monat?", "mietvertrag.txt"),
    ("Was hat die MRT bei Herrn Weber gezeigt?", "arztbrief.txt"),
    ("Combien de temps faut-il laisser reposer la pâte à crêpes ?", "recette-crepes.txt"),
    ("Quel est le délai pour déclarer un dégât des eaux ?", "assurance-habitation.txt"),
    ("¿A qué hora sale el vuelo a Lisboa?", "viaje-lisboa.txt"),
    ("燃えるごみは何曜日に出しますか？", "ごみの出し方.txt"),
    ("押金是多少钱？", "租房合同.txt"),
    ("How much is the deposit for the flat?", "mietvertrag.txt"),
    ("What did the MRI of Mr Weber show?", "arztbrief.txt"),
    ("How long should the crepe batter rest?", "recette-crepes.txt"),
]

# Questions no file answers, in the same languages; several share a theme with the files on purpose.
UNANSWERED: list[str] = [
    "Wie ist das Wetter morgen in Hamburg?", "Wer hat die Fußballweltmeisterschaft 2014 gewonnen?",
    "Wie repariere ich einen tropfenden Wasserhahn?", "Quelle est la capitale du Pérou ?",
    "Comment renouveler mon passeport ?", "¿Cuál es la receta de la paella?", "富士山の高さはどのくらいですか？",
    "What is the capital of Peru?", "How do I renew my passport?", "Who painted the Mona Lisa?", "How do I cook rice?",
    "How do I bake chocolate chip cookies?",
]
