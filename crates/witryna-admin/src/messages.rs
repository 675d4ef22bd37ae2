//! Polish wording of the core's validation errors: the core names each failure with a
//! stable code and an English message; editors read Polish.

use witryna_core::{CmsError, FieldError};

/// The Polish message for one field error (the English one when the code is unknown, so
/// an integrator's own codes still say something).
pub(crate) fn polish(error: &FieldError) -> String {
    let at_most = || error.message.split("at most ").nth(1).and_then(|rest| rest.split(' ').next()).map(str::to_owned);
    match error.code {
        "required" | "missing_field" => "Uzupełnij to pole.".into(),
        "too_long" => match at_most() {
            Some(n) => format!("Skróć ten tekst do najwyżej {n} znaków."),
            None => "Ten tekst jest za długi.".into(),
        },
        "control_character" => "Usuń niewidoczne znaki sterujące (np. wklejone z innego programu).".into(),
        "too_deep" => "Tekst ma za dużo zagnieżdżeń (listy w cytatach w listach…). Uprość go.".into(),
        "invalid_link" => {
            "Wpisz adres strony zaczynający się od https:// albo ścieżkę tej strony zaczynającą się od /.".into()
        }
        "invalid_email" => "Wpisz adres e-mail, np. sekretariat@mops.example.pl.".into(),
        "invalid_phone" => "Wpisz numer telefonu: od 9 do 15 cyfr (spacje, +, - i nawiasy są dozwolone).".into(),
        "invalid_postal_code" => "Wpisz kod pocztowy w postaci 00-000.".into(),
        "negative" => "Kwota nie może być ujemna.".into(),
        "exceeds_total" => "Dofinansowanie nie może być większe niż całkowita wartość projektu.".into(),
        "before_start" => "Data końca nie może być wcześniejsza niż data początku.".into(),
        "empty" => "Podaj wartość docelową, osiągniętą albo obie.".into(),
        "empty_interval" => "Godzina otwarcia musi być wcześniejsza niż godzina zamknięcia.".into(),
        "overlap" => "Przedziały godzin muszą iść po kolei i nie mogą na siebie nachodzić.".into(),
        "duplicate" => "Ta wartość już występuje na liście.".into(),
        "out_of_range" => "Ta wartość jest poza dozwolonym zakresem.".into(),
        "unordered" => "Ułóż pozycje po kolei, od najmniejszej.".into(),
        "invalid_slug" | "empty_slug" => "Adres musi zawierać litery lub cyfry.".into(),
        "invalid_tag" => "Każdy tag musi mieć od 1 do 50 znaków.".into(),
        "before_publication" => "Data aktualizacji nie może być wcześniejsza niż data publikacji.".into(),
        "not_positive" => "Wpisz liczbę większą od zera.".into(),
        "unknown_field" => "Tego pola nie ma w tym rodzaju treści.".into(),
        "missing_alt" => "Opisz, co widać na obrazku, albo zaznacz, że jest tylko ozdobny.".into(),
        "conflict" => "Wybierz obrazek z biblioteki albo podaj adres, nie oba naraz.".into(),
        "unknown_media" => "Tego pliku nie ma w bibliotece (mógł zostać usunięty). Wybierz inny.".into(),
        "not_an_image" => "To nie jest obrazek. Wybierz obrazek.".into(),
        "not_a_video" => "To nie jest nagranie wideo. Wybierz film (MP4 lub WebM).".into(),
        "not_shown" => "W tekście można pokazać obrazek albo film; dokument dodaj jako załącznik.".into(),
        "not_a_recording" => "Zapis treści ma tylko nagranie wideo; przy tym pliku zostaw to pole puste.".into(),
        "invalid_media" => "Obrazek z biblioteki wstawiaj jako ![opis](media:identyfikator).".into(),
        "immutable" => "Pliku nie można podmienić. Dodaj nowy plik do biblioteki.".into(),
        "reason_required" => {
            "Ta treść jest opublikowana: napisz krótko, co i dlaczego się zmienia. Powód pojawi się w rejestrze zmian."
                .into()
        }
        "invalid_reason" => "Powód może mieć najwyżej 500 znaków, w jednym wierszu.".into(),
        "invalid_char" => "Wpisz jeden wiersz tekstu, bez znaków sterujących.".into(),
        "shared_field" => "To pole jest wspólne dla wszystkich wersji językowych. Zmień je w wersji polskiej.".into(),
        "invalid_type" | "invalid_value" | "invalid" => "Ta wartość ma zły format.".into(),
        _ => format!("Popraw to pole ({}).", error.message),
    }
}

/// The form field an error of the Cms names: the form's own fields (reason, metryczka)
/// are prefixed `_` apart from the content's.
fn form_path(path: &str) -> String {
    match path {
        "reason" => "_powod".into(),
        "produced_by" => "_wytworzyl".into(),
        "responsible" => "_odpowiedzialny".into(),
        "produced_on" => "_data_wytworzenia".into(),
        other => other.into(),
    }
}

/// The Polish reason a file was refused, by its code.
pub(crate) fn refusal(r: &witryna_media::Refusal) -> String {
    match r.code() {
        "svg" => "Obrazków SVG nie przyjmujemy: mogą zawierać skrypty. Zapisz obrazek jako PNG lub JPEG.".into(),
        "markup" => "To plik HTML lub XML, a takich nie przyjmujemy. Zapisz treść jako PDF albo TXT.".into(),
        "unsupported_type" | "archive" => {
            "Tego rodzaju pliku nie przyjmujemy. Dozwolone: JPEG, PNG, WebP, GIF, PDF, DOCX, ODT, XLSX, ODS, TXT oraz filmy MP4 i WebM."
                .into()
        }
        "too_large" => match r {
            witryna_media::Refusal::TooLarge { limit, .. } => {
                format!("Plik jest za duży: najwyżej {} MB. Zmniejsz go albo podziel.", limit >> 20)
            }
            _ => "Plik jest za duży.".into(),
        },
        "empty" => "Plik jest pusty. Wybierz inny.".into(),
        "extension_mismatch" => {
            format!("Nazwa pliku nie pasuje do jego zawartości ({r}). Zmień rozszerzenie w nazwie.")
        }
        "corrupt" => "Plik jest uszkodzony lub niekompletny. Zapisz go jeszcze raz i dodaj ponownie.".into(),
        "too_many_pixels" => {
            "Obrazek ma za dużo pikseli (najwyżej 16 384 na bok i 50 megapikseli). Zmniejsz go.".into()
        }
        "compression_bomb" => "Po rozpakowaniu plik byłby ogromny. Takiego pliku nie przyjmujemy.".into(),
        "macros" => "Plik zawiera makra. Zapisz go bez makr (np. jako .docx zamiast .docm) albo jako PDF.".into(),
        "not_text" => "Plik tekstowy musi być zapisany w UTF-8. Zapisz go jeszcze raz w tym kodowaniu.".into(),
        _ => format!("Nie udało się przyjąć pliku ({r})."),
    }
}

/// Field errors of a refused write as (path, Polish message), or `None` when the Cms
/// refused for another reason.
pub(crate) fn field_errors(error: &CmsError) -> Option<Vec<(String, String)>> {
    match error {
        CmsError::Invalid(errors) => Some(errors.0.iter().map(|e| (form_path(&e.path), polish(e))).collect()),
        CmsError::SlugTaken { .. } => {
            Some(vec![("_slug".into(), "Ten adres ma już inna treść tego rodzaju. Wybierz inny.".into())])
        }
        _ => None,
    }
}
