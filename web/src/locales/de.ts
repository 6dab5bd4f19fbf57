
    // Do not modify this file by hand!
    // Re-generate this file by running lit-localize

    
    

    /* eslint-disable no-irregular-whitespace */
    /* eslint-disable @typescript-eslint/no-explicit-any */

    export const templates = {
      'scbf2ae1a63385e49': `Usernames are 3–32 characters: letters a–z, digits, “_” or “.”, starting with a letter.`,
'sa5e7a38fdc971c18': `Welcome to Sealed`,
'sde8b2d3da87dd90f': `Private, end-to-end encrypted chat. Your keys are made on this device and never leave it.`,
'scbfff38ffb7ede55': `Choose a username`,
's94b0bd795392bda7': `3–32 characters: a–z, 0–9, “_” or “.”, starting with a letter.`,
'seb9408df260289f3': `Creating your keys…`,
's0c97387dc725a9e2': `Create account`,
's08c578b660d3740b': `People find you by your username. Nobody, including the server, can read your messages.`,
's60c7ccf71bc79a11': `Link to an existing account`,
'sb0514fa8fdffe441': `Restore from recovery key`,
    };
  