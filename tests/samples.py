"""Small questionnaire and catalogue files used across the tests."""

from __future__ import annotations

SMALL = """
key: test-small
version: 1
title: {fr: "Petit questionnaire", en: "Small questionnaire"}
min_known_share: 0.5
domains:
  - code: A
    title: {fr: "Domaine A", en: "Domain A"}
    competencies:
      - code: A.ONE
        title: {fr: "Compétence un", en: "Competency one"}
        weight: 2
        target: 3
        questions:
          - code: A.ONE.Q1
            kind: maturity
            text: {fr: "Niveau de la première pratique ?", en: "Level of the first practice?"}
            levels:
              - {fr: "Rien", en: "Nothing"}
              - {fr: "Un peu", en: "A little"}
              - {fr: "Moyen", en: "Medium"}
              - {fr: "Bien", en: "Good"}
              - {fr: "Excellent", en: "Excellent"}
          - code: A.ONE.Q2
            kind: yesno
            text: {fr: "Avez-vous des robots ?", en: "Do you have robots?"}
            scored: false
            dont_know: false
          - code: A.ONE.Q3
            kind: maturity
            text: {fr: "Maintenance des robots ?", en: "Robot maintenance?"}
            condition: {question: A.ONE.Q2, in: ["yes"]}
            levels:
              - {fr: "R0", en: "R0"}
              - {fr: "R1", en: "R1"}
              - {fr: "R2", en: "R2"}
              - {fr: "R3", en: "R3"}
              - {fr: "R4", en: "R4"}
  - code: B
    title: {fr: "Domaine B", en: "Domain B"}
    competencies:
      - code: B.TWO
        title: {fr: "Compétence deux", en: "Competency two"}
        target: 2
        questions:
          - code: B.TWO.Q1
            kind: number
            text: {fr: "Part formée (%) ?", en: "Share trained (%)?"}
            min: 0
            max: 100
            unit: {fr: "%", en: "%"}
            bands:
              - {from: 0, level: 0}
              - {from: 25, level: 2}
              - {from: 75, level: 4}
          - code: B.TWO.Q2
            kind: text
            text: {fr: "Vos besoins ?", en: "Your needs?"}
            max_length: 50
          - code: B.TWO.Q3
            kind: multiple
            text: {fr: "Pratiques en place ?", en: "Practices in place?"}
            choices:
              - {code: a, label: {fr: "Entretien annuel", en: "Annual review"}, level: 2}
              - {code: b, label: {fr: "Plan de formation", en: "Training plan"}, level: 2}
              - {code: none, label: {fr: "Aucune", en: "None"}, level: 0}
"""

SMALL_CATALOGUE = """
key: test-catalogue
version: 1
title: {fr: "Catalogue test", en: "Test catalogue"}
funding_routes:
  plan_developpement:
    label: {fr: "Plan de développement des compétences", en: "Skills development plan"}
    description: {fr: "Financement OPCO.", en: "OPCO funding."}
  cpf:
    label: {fr: "Compte personnel de formation", en: "Personal training account"}
    description: {fr: "Cofinancement CPF.", en: "CPF co-funding."}
actions:
  - code: A-ONE-01
    title: {fr: "Bases de la pratique un", en: "Basics of practice one"}
    description: {fr: "Découvrir la pratique.", en: "Discover the practice."}
    competencies: [A.ONE]
    levels: {from: 0, to: 1}
    duration_hours: 14
    modality: inter
    cost_per_person: {min: 600, max: 900}
    funding: [plan_developpement]
  - code: A-ONE-02
    title: {fr: "Approfondir la pratique un", en: "Deepen practice one"}
    description: {fr: "Aller plus loin.", en: "Go further."}
    competencies: [A.ONE]
    levels: {from: 2, to: 3}
    duration_hours: 21
    modality: intra
    cost_per_person: {min: 900, max: 1500}
    funding: [plan_developpement, cpf]
  - code: B-TWO-01
    title: {fr: "Pratique deux", en: "Practice two"}
    description: {fr: "Tout sur deux.", en: "All about two."}
    competencies: [B.TWO]
    levels: {from: 0, to: 3}
    duration_hours: 7
    modality: elearning
    cost_per_person: {min: 100, max: 200}
    funding: [cpf]
rules:
  - code: R1
    title: {fr: "Écart important", en: "Large gap"}
    explanation:
      fr: "Écart de {gap} niveau(x) sous la cible {target}."
      en: "Gap of {gap} level(s) below target {target}."
    when: {min_gap: 2}
    priority: 1
    max_actions: 2
  - code: R2
    title: {fr: "Écart", en: "Gap"}
    explanation: {fr: "Écart de {gap} niveau(x).", en: "Gap of {gap} level(s)."}
    when: {min_gap: 0.5}
    priority: 3
    max_actions: 1
"""

# Version 2 of the small questionnaire: "not concerned" on A.ONE.Q1, an exclusive "none"
# choice, and a legal obligation (a DUERP question) in its own competency.
SMALL_V2 = (
    SMALL.replace("version: 1", "version: 2", 1)
    .replace(
        """            kind: maturity
            text: {fr: "Niveau de la première pratique ?", en: "Level of the first practice?"}""",
        """            kind: maturity
            not_concerned: true
            text: {fr: "Niveau de la première pratique ?", en: "Level of the first practice?"}""",
    )
    .replace(
        """{code: none, label: {fr: "Aucune", en: "None"}, level: 0}""",
        """{code: none, label: {fr: "Aucune", en: "None"}, level: 0, exclusive: true}""",
    )
    + """
  - code: C
    title: {fr: "Santé et sécurité", en: "Health and safety"}
    competencies:
      - code: C.SAFE
        title: {fr: "Prévention des risques", en: "Risk prevention"}
        target: 2
        questions:
          - code: C.SAFE.DUERP
            kind: yesno
            text: {fr: "Votre DUERP est-il à jour ?", en: "Is your risk assessment up to date?"}
            obligation:
              fr: "Document unique (DUERP) à jour"
              en: "Up-to-date risk assessment (DUERP)"
"""
)

SMALL_CATALOGUE_V2 = (
    SMALL_CATALOGUE.replace("version: 1", "version: 2", 1)
    .replace(
        """    modality: intra
    cost_per_person: {min: 900, max: 1500}""",
        """    modality: intra
    cost_per_session: {min: 3000, max: 4200, group_size: 8}""",
    )
    .replace(
        "rules:\n",
        """  - code: C-SAFE-01
    title: {fr: "Rédiger son DUERP", en: "Writing the risk assessment"}
    description: {fr: "Atelier DUERP.", en: "Risk assessment workshop."}
    competencies: [C.SAFE]
    levels: {from: 0, to: 1}
    duration_hours: 7
    modality: inter
    cost_per_person: {min: 300, max: 450}
    funding: [plan_developpement]
    obligation: true
rules:
""",
        1,
    )
)
